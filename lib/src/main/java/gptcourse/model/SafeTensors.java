package gptcourse.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import gptcourse.autograd.Layouts;
import gptcourse.io.AtomicFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format, so
 * weights saved here load in Python with {@code safetensors.torch.load_file} (and vice versa):
 * an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the raw little-endian values. Writes go to a temporary file that is moved into place,
 * so an interrupted save never leaves a half-written file under the real name.
 */
public final class SafeTensors {
    /** Tensors in file order, and the header's {@code __metadata__} strings. */
    public record Contents(Map<String, INDArray> tensors, Map<String, String> metadata) {
    }

    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private SafeTensors() {
    }

    /** Writes {@code tensors} (and {@code metadata}) to {@code file} atomically, creating its folder. */
    public static void save(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.writeChannel(file, channel -> write(channel, tensors, metadata));
    }

    /**
     * Writes the whole safetensors content at {@code channel}'s position, for a caller that writes
     * the file itself (a checkpoint patches its checksum in before the rename).
     */
    public static void write(WritableByteChannel channel, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        Map<String, INDArray> contiguous = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = rowMajorFromStart(e.getValue());
            String dtype = code(a.dataType(), e.getKey());
            long bytes = a.length() * a.dataType().width();
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtype);
            JsonArray shape = new JsonArray();
            for (long s : a.shape()) {
                shape.add(s);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
            contiguous.put(e.getKey(), a);
            offset += bytes;
        }
        byte[] head = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (head.length + 7) / 8 * 8;
        byte[] headPadded = Arrays.copyOf(head, padded);
        Arrays.fill(headPadded, head.length, padded, (byte) ' ');

        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
        writeFully(channel, len);
        writeFully(channel, ByteBuffer.wrap(headPadded));
        for (INDArray a : contiguous.values()) {
            ByteBuffer raw = a.data().asNio().order(ByteOrder.nativeOrder());
            raw.limit((int) (a.length() * a.dataType().width()));
            // straight from native memory where it is little-endian already
            writeFully(channel, ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? raw
                    : ByteBuffer.wrap(toLittleEndian(raw, a.dataType())));
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** {@code a} itself if its values lie row-major from the start of its buffer, else a row-major copy. */
    private static INDArray rowMajorFromStart(INDArray a) {
        return Layouts.fromBufferStart(a) ? a : a.dup('c');
    }

    private static byte[] toLittleEndian(ByteBuffer raw, DataType type) {
        byte[] bytes = new byte[raw.remaining()];
        raw.get(bytes);
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            int w = type.width();
            for (int i = 0; i < bytes.length; i += w) {
                for (int j = 0; j < w / 2; j++) {
                    byte tmp = bytes[i + j];
                    bytes[i + j] = bytes[i + w - 1 - j];
                    bytes[i + w - 1 - j] = tmp;
                }
            }
        }
        return bytes;
    }

    public static Contents load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no safetensors file at " + file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw corrupt(file, "it is only " + size + " bytes long");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw corrupt(file, "its header length " + headerLen + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headBuf, 8);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(headBuf.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (RuntimeException e) {
                throw corrupt(file, "its header is not valid JSON (" + e.getMessage() + ")");
            }
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().getAsJsonObject().entrySet().forEach(m -> metadata.put(m.getKey(), m.getValue().getAsString()));
                    continue;
                }
                JsonObject t = e.getValue().getAsJsonObject();
                DataType type = type(t.get("dtype").getAsString(), e.getKey(), file);
                JsonArray shapeJson = t.getAsJsonArray("shape");
                long[] shape = new long[shapeJson.size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeJson.get(i).getAsLong();
                    count *= shape[i];
                }
                JsonArray off = t.getAsJsonArray("data_offsets");
                long begin = off.get(0).getAsLong();
                long end = off.get(1).getAsLong();
                if (end - begin != count * type.width() || begin < 0 || dataStart + end > size) {
                    throw corrupt(file, "tensor " + e.getKey() + " (shape " + Arrays.toString(shape) + ", " + type
                            + ") has byte range [" + begin + ", " + end + ") that does not fit");
                }
                ByteBuffer raw = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, raw, dataStart + begin);
                raw.flip();
                tensors.put(e.getKey(), toArray(raw, type, shape, (int) count));
            }
            return new Contents(tensors, metadata);
        }
    }

    @SuppressWarnings("deprecation") // DataType.INT64/INT32 are aliases of LONG/INT, not usable as case labels
    private static INDArray toArray(ByteBuffer raw, DataType type, long[] shape, int count) {
        switch (type) {
            case FLOAT: {
                float[] v = new float[count];
                raw.asFloatBuffer().get(v);
                return Nd4j.create(v, shape, 'c');
            }
            case DOUBLE: {
                double[] v = new double[count];
                raw.asDoubleBuffer().get(v);
                return Nd4j.create(v, shape, 'c');
            }
            case LONG: {
                long[] v = new long[count];
                raw.asLongBuffer().get(v);
                return Nd4j.createFromArray(v).reshape(shape);
            }
            case INT: {
                int[] v = new int[count];
                raw.asIntBuffer().get(v);
                return Nd4j.createFromArray(v).reshape(shape);
            }
            default:
                throw new IllegalStateException("unreachable: " + type);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    @SuppressWarnings("deprecation") // DataType.INT64/INT32 are aliases of LONG/INT, not usable as case labels
    private static String code(DataType type, String name) {
        switch (type) {
            case FLOAT: return "F32";
            case DOUBLE: return "F64";
            case LONG: return "I64";
            case INT: return "I32";
            default:
                throw new IllegalArgumentException("tensor " + name + " has type " + type
                        + "; safetensors files here hold FLOAT, DOUBLE, LONG or INT");
        }
    }

    private static DataType type(String code, String name, Path file) throws IOException {
        switch (code) {
            case "F32": return DataType.FLOAT;
            case "F64": return DataType.DOUBLE;
            case "I64": return DataType.INT64;
            case "I32": return DataType.INT32;
            default:
                throw new IOException("tensor " + name + " in " + file + " has dtype " + code
                        + ", which this reader does not support (accepted: F32, F64, I64, I32)");
        }
    }

    private static IOException corrupt(Path file, String why) {
        return new IOException(file + " is not a valid safetensors file: " + why);
    }
}
