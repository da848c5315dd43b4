package dev.jrun.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExitStatusTest {
    @Test
    void exitCodesAndSignalsAsAShellReportsThem() {
        assertEquals(0, ExitStatus.of(0));
        assertEquals(42, ExitStatus.of(42 << 8));
        assertEquals(255, ExitStatus.of(255 << 8));
        assertEquals(137, ExitStatus.of(9));          // killed by SIGKILL
        assertEquals(143, ExitStatus.of(15));         // killed by SIGTERM
        assertEquals(139, ExitStatus.of(11 | 0x80));  // SIGSEGV with a core dump
    }

    @Test
    void signalNames() {
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(15, Signals.parse("term"));
        assertEquals(9, Signals.parse("9"));
        assertEquals(28, Signals.parse("SIGWINCH"));
        assertEquals(-1, Signals.parse("SIGNOPE"));
        assertEquals(-1, Signals.parse("99"));
    }
}
