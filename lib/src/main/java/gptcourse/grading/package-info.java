/**
 * Self-checks and autograder checks for the course's exercises: {@link gptcourse.grading.Checks}
 * runs a student's trainer on a tiny model next to the reference solution and reports one line per
 * thing checked. The notebooks call it in their self-check cells; the autograder
 * ({@code environment/grade.sh}, docs/grading.md) calls {@link gptcourse.grading.Checks#require}
 * in hidden test cells.
 */
package gptcourse.grading;
