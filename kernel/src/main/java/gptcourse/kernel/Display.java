package gptcourse.kernel;

import java.util.UUID;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

/**
 * IJava's display functions, imported statically into every notebook by the startup script:
 * {@code display(obj)} shows an object now and returns its display id, {@code updateDisplay(id, obj)}
 * replaces that output in place, {@code render(obj)} makes the MIME bundle without showing it.
 * The optional {@code mimes} pick the formats, e.g. {@code display(chart, "image/svg+xml")}.
 */
public final class Display {
    private Display() {
    }

    /**
     * @param obj what to show
     * @return its display id, for {@link #updateDisplay(String, Object)}
     */
    public static String display(Object obj) {
        return show(render(obj));
    }

    /**
     * @param obj   what to show
     * @param mimes the MIME types to render it as (text/plain is always included)
     * @return its display id
     */
    public static String display(Object obj, String... mimes) {
        return show(render(obj, mimes));
    }

    /**
     * @param id  a display id returned by {@code display}
     * @param obj the new content
     */
    public static void updateDisplay(String id, Object obj) {
        JavaKernel.current().updateDisplay(id, new DisplayData(render(obj)));
    }

    /**
     * @param id    a display id returned by {@code display}
     * @param obj   the new content
     * @param mimes the MIME types to render it as
     */
    public static void updateDisplay(String id, Object obj, String... mimes) {
        JavaKernel.current().updateDisplay(id, new DisplayData(render(obj, mimes)));
    }

    /**
     * @param obj what to render
     * @return its MIME bundle (the kernel shows a bundle returned as a cell's value)
     */
    public static DisplayData render(Object obj) {
        if (obj instanceof DisplayData d) return d;
        if (obj == null) return new DisplayData("null");
        return JavaKernel.current().getRenderer().render(obj);
    }

    /**
     * @param obj   what to render
     * @param mimes the MIME types to render it as
     * @return its MIME bundle
     */
    public static DisplayData render(Object obj, String... mimes) {
        if (obj == null) return new DisplayData("null");
        return JavaKernel.current().getRenderer().renderAs(obj, mimes);
    }

    /** Clears this cell's output now. */
    public static void clearOutput() {
        JavaKernel.current().clearOutput(false);
    }

    /**
     * @param wait true to clear only when the next output arrives (smooth in-place animation)
     */
    public static void clearOutput(boolean wait) {
        JavaKernel.current().clearOutput(wait);
    }

    private static String show(DisplayData data) {
        DisplayData copy = new DisplayData(data);
        String id = copy.hasDisplayId() ? copy.getDisplayId() : UUID.randomUUID().toString();
        copy.setDisplayId(id);
        JavaKernel.current().display(copy);
        return id;
    }
}
