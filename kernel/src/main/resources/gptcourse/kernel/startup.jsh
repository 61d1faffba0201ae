// The course's startup script: runs before the first cell of every notebook, on the course kernel
// (after the kernel's own display functions and ProgressBar, see BuiltInStartup) and on a plain
// IJava install (environment/ijava-startup.jsh links here; environment/ijava-setup.sh prints the
// settings). So it uses only what IJava can load: nothing from gptcourse.kernel.
// Keep it to imports (they cost nothing until used); on the course kernel each
// `import gptcourse.x.*;` line is skipped while that package does not exist yet.

// Pick ND4J's native build before anything loads it (oneDNN/AVX-512 when the CPU has AVX-512 and the
// build has them, as it does by default; the portable build otherwise), and fix malloc's mmap threshold (see Backend).
gptcourse.autograd.Backend.selectNatives();

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
