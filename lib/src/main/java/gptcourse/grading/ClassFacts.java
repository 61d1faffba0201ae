package gptcourse.grading;

import java.lang.reflect.Method;

import gptcourse.data.Batch;
import gptcourse.train.TransformerTrainer;

/**
 * Where a trainer's graded methods come from: a check of {@code trainingStep} means nothing if the
 * class inherits it from the library's reference solution ({@code class MyTrainer extends
 * TransformerTrainer}). Recorded by the probe, judged outside the student's JVM.
 *
 * @param className the trainer's class, as JShell names it ({@code REPL.$JShell$17$MyTrainer})
 * @param trainingStepDeclaredBy the class that declares the {@code trainingStep} that runs
 * @param evaluateDeclaredBy the class that declares the {@code evaluate} that runs
 * @param trainDeclaredBy the class that declares the {@code train} that runs
 * @param extendsReference true if the class is, or extends, {@link TransformerTrainer}
 */
record ClassFacts(String className, String trainingStepDeclaredBy, String evaluateDeclaredBy, String trainDeclaredBy,
        boolean extendsReference) {

    /** The library's package of trainers: a graded method declared there is not the student's. */
    static final String LIBRARY_PACKAGE = "gptcourse.train.";

    static ClassFacts of(Class<?> cls) {
        return new ClassFacts(cls.getName(), declaring(cls, "trainingStep", Batch.class), declaring(cls, "evaluate"),
                declaring(cls, "train"), TransformerTrainer.class.isAssignableFrom(cls));
    }

    private static String declaring(Class<?> cls, String name, Class<?>... parameters) {
        try {
            Method m = cls.getMethod(name, parameters);
            return m.getDeclaringClass().getName();
        } catch (NoSuchMethodException | SecurityException e) {
            return null;
        }
    }

    /** The class declaring {@code method} ("trainingStep", "evaluate", "train"). */
    String declaredBy(String method) {
        return switch (method) {
            case "trainingStep" -> trainingStepDeclaredBy;
            case "evaluate" -> evaluateDeclaredBy;
            default -> trainDeclaredBy;
        };
    }

    /**
     * Null if the trainer's own code provides {@code method}; otherwise why the check of it
     * cannot count (inherited from the library's reference solution).
     */
    String notTheirOwn(String method) {
        String by = declaredBy(method);
        if (by == null) {
            return "the trainer has no public " + method + " method";
        }
        if (by.startsWith(LIBRARY_PACKAGE) || extendsReference) {
            return "the trainer " + (extendsReference ? "extends the library's reference solution (TransformerTrainer)"
                    + (by.startsWith(LIBRARY_PACKAGE) ? " and inherits " + method + " from " + by : "")
                    : "inherits " + method + " from the library (" + by + ")")
                    + ": the exercise is to write " + method + " in your own class, which extends TransformerTrainerBase";
        }
        return null;
    }
}
