package dev.jrun.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Java's {@link OpCode} and the C library's {@code enum jrun_opcode} must give every operation
 * the same number: a mismatch makes the child run another system call than the plan says, or
 * fail with JRUN_UNKNOWN_OP. Two branches that each append an operation get the same next
 * number; this test is where that shows.
 */
class OpCodeTest {
    private static final Path HEADER = Path.of("native/jrun.h");
    private static final Path SOURCE = Path.of("native/jrun.c");

    @Test
    void javaAndCGiveEveryOperationTheSameNumber() throws IOException {
        Map<String, Integer> c = cEnum(Files.readString(HEADER));
        Map<String, Integer> java = new LinkedHashMap<>();
        for (OpCode op : OpCode.values()) java.put(op.name(), op.code);
        List<String> differences = new ArrayList<>();
        for (var e : java.entrySet()) {
            Integer inC = c.get(e.getKey());
            if (inC == null) differences.add("OpCode." + e.getKey() + " (" + e.getValue() + ") has no JRUN_OP_" + e.getKey());
            else if (!inC.equals(e.getValue())) {
                differences.add("OpCode." + e.getKey() + " is " + e.getValue() + ", JRUN_OP_" + e.getKey() + " is " + inC);
            }
        }
        for (var e : c.entrySet()) {
            if (!java.containsKey(e.getKey())) differences.add("JRUN_OP_" + e.getKey() + " (" + e.getValue() + ") has no OpCode");
        }
        assertTrue(differences.isEmpty(), "dev.jrun.sys.OpCode and " + HEADER + " disagree: " + differences);
    }

    @Test
    void noTwoOperationsShareANumber() {
        Map<Integer, List<String>> byCode = new TreeMap<>();
        for (OpCode op : OpCode.values()) byCode.computeIfAbsent(op.code, k -> new ArrayList<>()).add(op.name());
        byCode.values().removeIf(names -> names.size() == 1);
        assertEquals(Map.of(), byCode, "OpCode numbers used more than once");
    }

    @Test
    void theChildCarriesOutEveryOperation() throws IOException {
        String source = Files.readString(SOURCE);
        List<String> missing = new ArrayList<>();
        for (String name : cEnum(Files.readString(HEADER)).keySet()) {
            if (!source.contains("case JRUN_OP_" + name + ":")) missing.add("JRUN_OP_" + name);
        }
        assertTrue(missing.isEmpty(), SOURCE + " has no case for " + missing);
    }

    @Test
    void theParserNumbersAsCDoes() {
        assertEquals(Map.of("A", 1, "B", 2, "C", 7, "D", 8),
                cEnum("enum jrun_opcode {\n JRUN_OP_A = 1, /* a, b */\n JRUN_OP_B, // c\n"
                        + " JRUN_OP_C = 7,\n JRUN_OP_D\n};"));
    }

    /** The entries of {@code enum jrun_opcode}, without the JRUN_OP_ prefix, numbered as C does. */
    static Map<String, Integer> cEnum(String header) {
        Matcher body = Pattern.compile("enum\\s+jrun_opcode\\s*\\{(.*?)\\}\\s*;", Pattern.DOTALL).matcher(header);
        assertTrue(body.find(), "no enum jrun_opcode in " + HEADER);
        String entries = body.group(1).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
        Pattern entry = Pattern.compile("\\s*JRUN_OP_(\\w+)\\s*(?:=\\s*(\\d+)\\s*)?");
        Map<String, Integer> out = new HashMap<>();
        int next = 0;   // C: the first enumerator is 0 unless given, each next one the previous + 1
        for (String item : entries.split(",")) {
            if (item.isBlank()) continue;
            Matcher m = entry.matcher(item);
            assertTrue(m.matches(), "cannot read enum jrun_opcode entry '" + item.strip() + "' in " + HEADER);
            int value = m.group(2) != null ? Integer.parseInt(m.group(2)) : next;
            out.put(m.group(1), value);
            next = value + 1;
        }
        return out;
    }
}
