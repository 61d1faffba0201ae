package gptcourse.kernel;

import io.github.spencerpark.jupyter.messages.MessageContext;

/**
 * One execution of a cell: the {@code execute_request} that everything the cell prints or
 * displays answers (its parent header), so a notebook puts that output under that cell, even
 * when a thread the cell started prints after the cell has finished.
 *
 * @param request the execute_request message
 * @param silent  true for {@code silent} requests, whose output is dropped
 */
record CellContext(MessageContext request, boolean silent) {
}
