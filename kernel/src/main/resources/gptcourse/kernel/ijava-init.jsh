// The kernel's start-up in IJava-only mode (GPTCOURSE_IJAVA_ONLY=1): what a plain IJava install runs
// before IJAVA_STARTUP_SCRIPTS_PATH, so the course notebooks can be tested as they run on IJava.
// IJava imports these JDK packages and defines these display functions and lineMagic/cellMagic/eval
// (the same names and signatures; IJava's call its own kernel, these call this one). Nothing else of
// the course kernel (ProgressBar, clearOutput, the course's imports) is visible.

import java.util.*;
import java.io.*;
import java.math.*;
import java.net.*;
import java.util.concurrent.*;
import java.util.prefs.*;
import java.util.regex.*;

io.github.spencerpark.jupyter.kernel.display.DisplayData render(Object o) {
    return gptcourse.kernel.Display.render(o);
}

io.github.spencerpark.jupyter.kernel.display.DisplayData render(Object o, String... as) {
    return gptcourse.kernel.Display.render(o, as);
}

String display(Object o) {
    return gptcourse.kernel.Display.display(o);
}

String display(Object o, String... as) {
    return gptcourse.kernel.Display.display(o, as);
}

void updateDisplay(String id, Object o) {
    gptcourse.kernel.Display.updateDisplay(id, o);
}

void updateDisplay(String id, Object o, String... as) {
    gptcourse.kernel.Display.updateDisplay(id, o, as);
}

void printf(String format, Object... args) {
    System.out.printf(format, args);
}

<T> T lineMagic(String name, List<String> args) {
    return gptcourse.kernel.Magics.lineMagic(name, args);
}

<T> T cellMagic(String name, List<String> args, String body) {
    return gptcourse.kernel.Magics.cellMagic(name, args, body);
}

Object eval(String expr) throws Exception {
    return gptcourse.kernel.Magics.eval(expr);
}
