package gptcourse.autograd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This process's resident memory, as Linux reports it in {@code /proc/self}: what the garbage policy
 * ({@link NativeGarbage}) and the benchmarks read. Elsewhere every figure is unknown ({@code -1}).
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** Resident bytes now ({@code VmRSS}), or -1 where unknown. */
    public static long residentBytes() {
        return statusBytes("VmRSS");
    }

    /** The most resident bytes so far ({@code VmHWM}), or -1 where unknown. */
    public static long peakResidentBytes() {
        return statusBytes("VmHWM");
    }

    /** Resets the peak to the current resident size ({@code /proc/self/clear_refs}); false where not possible. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@link #residentBytes()} in gigabytes, to three decimals; NaN where unknown. */
    public static double residentGb() {
        return gigabytes(residentBytes());
    }

    /** {@link #peakResidentBytes()} in gigabytes, to three decimals; NaN where unknown. */
    public static double peakResidentGb() {
        return gigabytes(peakResidentBytes());
    }

    /** Bytes in gigabytes, to three decimals; NaN for an unknown (negative) figure. */
    public static double gigabytes(long bytes) {
        return bytes < 0 ? Double.NaN : Math.round(bytes / 1024.0 / 1024.0 / 1024.0 * 1000) / 1000.0;
    }

    /** A {@code kB} line of /proc/self/status, in bytes; -1 where there is none. */
    static long statusBytes(String field) {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String line : lines) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
        return -1;
    }
}
