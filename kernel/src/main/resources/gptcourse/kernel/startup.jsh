// Startup script of the gptcourse kernel: runs before the first cell of every notebook.
// Keep it to imports (they cost nothing until used); each `import gptcourse.x.*;` line is
// skipped while that package does not exist yet, so this list may name packages ahead of time.

// Pick ND4J's native build before anything loads it (oneDNN/AVX-512 when built with -Pavx512 and the
// CPU has AVX-512; the portable build otherwise), and fix malloc's mmap threshold (see Backend).
gptcourse.autograd.Backend.selectNatives();

// IJava's display functions: display(obj), display(obj, mimes...), updateDisplay(id, obj), render(obj)
import static gptcourse.kernel.Display.*;
// IJava's lineMagic(name, args), cellMagic(name, args, body) and eval(code)
import static gptcourse.kernel.Magics.*;
import gptcourse.kernel.ProgressBar;

import java.util.*;
import java.util.function.*;
import java.util.stream.*;
import java.io.*;
import java.nio.file.*;
import java.awt.image.BufferedImage;

// ND4J
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.buffer.DataType;

// Charts and tables
import org.knowm.xchart.*;
import tech.tablesaw.api.*;

// ---- Course packages: the lead extends this list (one package per concept, see STYLE.md) ----
import gptcourse.model.*;
import gptcourse.autograd.*;
import gptcourse.optim.*;
import gptcourse.data.*;
import gptcourse.train.*;
import gptcourse.sample.*;
import gptcourse.analysis.*;
import gptcourse.notebook.*;
import gptcourse.grading.*;
// ---- end of course packages ----
