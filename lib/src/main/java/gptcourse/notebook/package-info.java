/**
 * Notebook outputs of the library that work with the course kernel and with IJava: {@link
 * gptcourse.notebook.Notebook} finds the running kernel's {@code display}/{@code updateDisplay},
 * {@link gptcourse.notebook.Outputs} makes charts, tables and text render themselves, {@link
 * gptcourse.notebook.Progress} is a tqdm-like bar. Every progress bar of the course (this one, the
 * downloader's, the kernel's {@code ProgressBar}) counts, times, throttles and writes its line with
 * {@link gptcourse.notebook.ProgressMeter} and {@link gptcourse.notebook.ProgressLine}. Outside a
 * notebook nothing is shown and the callers print or write files instead.
 */
package gptcourse.notebook;
