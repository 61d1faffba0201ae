package gptcourse.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class LayoutsTest {

    @Test
    void onlyAnArrayWhoseValuesStartItsBufferInRowMajorOrderQualifies() {
        INDArray a = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(3, 4);
        assertTrue(Layouts.fromBufferStart(a));
        assertTrue(Layouts.fromBufferStart(a.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all())), "its first rows");
        assertFalse(Layouts.fromBufferStart(a.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all())), "an offset");
        assertFalse(Layouts.fromBufferStart(a.transpose()), "transposed");
        assertFalse(Layouts.fromBufferStart(a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))), "strided columns");
        assertFalse(Layouts.fromBufferStart(a.dup('f')), "column-major");
    }

    @Test
    void valuesAreTheRowMajorValuesOfAnyView() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.rand(type, 5, 6);
            INDArray[] views = {a, a.getRow(3), a.getColumn(2), a.transpose(),
                a.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 5)), a.reshape(30)};
            for (INDArray v : views) {
                double[] expected = v.dup('c').reshape(v.length()).toDoubleVector();
                assertArrayEquals(expected, Layouts.values(v), 0.0, type + " " + java.util.Arrays.toString(v.shape()));
            }
        }
    }
}
