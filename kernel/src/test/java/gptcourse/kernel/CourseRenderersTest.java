package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class CourseRenderersTest {
    /** Stands in for gptcourse.autograd.Tensor, which is written alongside the kernel. */
    public static final class FakeTensor {
        private final INDArray data;

        public FakeTensor(INDArray data) {
            this.data = data;
        }

        public long[] shape() {
            return data.shape();
        }

        public INDArray data() {
            return data;
        }
    }

    @Test
    void longTablesKeepTheirFirstAndLastRows() {
        Table t = Table.create("t", IntColumn.create("i", IntStream.range(0, 100).toArray()));
        String html = CourseRenderers.tableHtml(t);
        assertTrue(html.contains("<th>0</th>") && html.contains("<th>9</th>") && html.contains("<th>99</th>"));
        assertTrue(html.contains("80 more rows"), html);
        assertTrue(html.contains("100 rows × 1 columns"));
        assertEquals(-1, html.indexOf("<th>50</th>"));
    }

    @Test
    void htmlIsEscaped() {
        Table t = Table.create("<t>", tech.tablesaw.api.StringColumn.create("s", "<script>"));
        String html = CourseRenderers.tableHtml(t);
        assertTrue(html.contains("&lt;script&gt;") && !html.contains("<script>"), html);
    }

    @Test
    void arraysShowShapeAndValues() {
        String small = CourseRenderers.describeArray("INDArray", Nd4j.linspace(1, 6, 6, DataType.FLOAT).reshape(2, 3));
        assertTrue(small.startsWith("INDArray float [2, 3]"), small);
        assertTrue(small.contains("6.0000"), small);
        String big = CourseRenderers.describeArray("INDArray", Nd4j.zeros(DataType.DOUBLE, 50, 50));
        assertTrue(big.contains("mean 0.000"), big);
    }

    @Test
    void tensorsRenderReflectivelyByClassName() {
        Renderer renderer = new Renderer();
        CourseRenderers.registerTensor(renderer, FakeTensor.class.getName());
        DisplayData out = renderer.render(new FakeTensor(Nd4j.ones(DataType.FLOAT, 2, 2)));
        String text = String.valueOf(out.getData(MIMEType.TEXT_PLAIN));
        assertTrue(text.startsWith("Tensor float [2, 2]"), text);
    }

    @Test
    void aMissingTensorClassIsSkipped() {
        Renderer renderer = new Renderer();
        CourseRenderers.registerTensor(renderer, "gptcourse.no.SuchTensor");
        assertEquals("x", String.valueOf(renderer.render("x").getData(MIMEType.TEXT_PLAIN)));
    }
}
