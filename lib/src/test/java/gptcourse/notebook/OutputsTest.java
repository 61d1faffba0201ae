package gptcourse.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Tables show rounded numbers, like a notebook's data frame, never every digit of a double. */
class OutputsTest {

    @Test
    void numbersAreRoundedReadably() {
        assertEquals("10.8251", Outputs.number(10.825097351));
        assertEquals("0.0641", Outputs.number(0.064116985376828));
        assertEquals("3", Outputs.number(3.0));
        assertEquals("-2.5", Outputs.number(-2.5));
        assertEquals("3E-4", Outputs.number(3e-4));
        assertEquals("0", Outputs.number(0.0));
        assertEquals("12,345.6789", Outputs.number(12345.6789));
        assertEquals("NaN", Outputs.number(Double.NaN));
    }

    @Test
    void tablesShowRoundedDecimalsAndLeaveTheDataAlone() {
        Table summary = Table.create("summary of the run", StringColumn.create("metric", "train_loss", "accuracy"),
                DoubleColumn.create("last value", 4.123456789012345, 0.064116985376828));
        String html = Outputs.html(summary, 10);
        assertTrue(html.contains("<td>4.1235</td>") && html.contains("<td>0.0641</td>"), html);
        assertFalse(html.contains("4.123456789"), html);
        String text = Outputs.table(summary, 10).toString();
        assertTrue(text.contains("4.1235") && !text.contains("4.123456789"), text);
        assertEquals(4.123456789012345, summary.doubleColumn("last value").get(0), "the table itself is unchanged");
        Table many = Table.create("m", DoubleColumn.create("x", new double[25]));
        assertTrue(Outputs.html(many, 10).contains("15 more rows"));
    }
}
