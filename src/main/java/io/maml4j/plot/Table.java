package io.maml4j.plot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The numbers behind a chart, one row per plotted point, written as CSV. */
public record Table(List<String> header, List<List<String>> rows) {
  public Table {
    header = List.copyOf(header);
    List<List<String>> copy = new ArrayList<>();
    for (List<String> r : rows) {
      if (r.size() != header.size()) {
        throw new IllegalArgumentException("row " + r + " has " + r.size() + " cells, header has " + header.size());
      }
      copy.add(List.copyOf(r));
    }
    rows = List.copyOf(copy);
  }

  /** A mutable builder of rows; cells are formatted with {@link #cell(Object)}. */
  public static final class Builder {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Builder(String... header) {
      this.header = List.of(header);
    }

    public Builder add(Object... cells) {
      List<String> r = new ArrayList<>(cells.length);
      for (Object c : cells) {
        r.add(cell(c));
      }
      rows.add(r);
      return this;
    }

    public Table build() {
      return new Table(header, rows);
    }
  }

  /** Doubles in full precision (round-trip exact), everything else as text, quoted if needed. */
  static String cell(Object c) {
    String s = c instanceof Double d ? Double.toString(d) : String.valueOf(c);
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      s = "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  public String toCsv() {
    StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
    for (List<String> r : rows) {
      sb.append(String.join(",", r)).append('\n');
    }
    return sb.toString();
  }

  /** Writes the CSV atomically, every byte checked; creates parent directories. */
  public void write(Path file) {
    io.maml4j.files.AtomicFiles.write(file, toCsv());
  }
}
