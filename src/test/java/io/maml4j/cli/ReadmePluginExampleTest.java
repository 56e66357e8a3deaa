package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's plug-in example is the real thing: its files, taken from the README as they stand,
 * compile against maml4j, pass check-env, and train in a separate JVM that finds the plug-in on
 * its class path through ServiceLoader, as {@code MAML4J_CLASSPATH} puts it there.
 */
class ReadmePluginExampleTest {
  private static final Pattern FILE = Pattern.compile("^File `([^`]+)`:\\n\\n```[a-z]*\\n(.*?)```$",
      Pattern.MULTILINE | Pattern.DOTALL);

  @TempDir Path dir;

  private static Map<String, String> exampleFiles() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String section = readme.substring(readme.indexOf("## Plugging in an environment"));
    section = section.substring(0, section.indexOf("\n## ", 5));
    Map<String, String> files = new LinkedHashMap<>();
    Matcher m = FILE.matcher(section);
    while (m.find()) {
      files.put(m.group(1), m.group(2));
    }
    return files;
  }

  private record Run(int code, String output) {}

  private Run maml4j(Path classes, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path") + File.pathSeparator + classes,
        "io.maml4j.cli.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "maml4j " + String.join(" ", args) + " did not finish");
    return new Run(p.exitValue(), out);
  }

  @Test
  void when_the_readme_example_is_built_as_written_expect_it_to_pass_check_env_and_train() throws Exception {
    Map<String, String> files = exampleFiles();
    assertEquals(List.of("src/main/java/org/example/line/LineTasks.java", "src/main/java/org/example/line/LineProvider.java",
        "src/main/resources/META-INF/services/io.maml4j.envs.EnvRegistry$Provider", "line.json"),
        new ArrayList<>(files.keySet()));
    List<String> sources = new ArrayList<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
      if (f.getKey().endsWith(".java")) {
        sources.add(p.toString());
      }
    }
    Path build = dir.resolve("build");
    Files.createDirectories(build.resolve("META-INF/services"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("--release", "17", "-cp", System.getProperty("java.class.path"), "-d",
        build.toString()));
    args.addAll(sources);
    assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "the README example does not compile");
    Files.copy(dir.resolve("src/main/resources/META-INF/services/io.maml4j.envs.EnvRegistry$Provider"),
        build.resolve("META-INF/services/io.maml4j.envs.EnvRegistry$Provider"));

    Run check = maml4j(build, "check-env", "line.json");
    assertEquals(0, check.code(), check.output());
    assertTrue(check.output().contains("environment 'line' keeps the contract"), check.output());
    assertTrue(check.output().contains("tasks: changing goal alone changes the episode"), check.output());

    Files.writeString(dir.resolve("small.json"), "{\"meta_batch_size\": 4, \"fast_batch_size\": 5}");
    Run train = maml4j(build, "train", "--env", "line.json", "--config", "small.json", "--iterations", "3", "--out",
        "runs/line");
    assertEquals(0, train.code(), train.output());
    List<String> metrics = Files.readAllLines(dir.resolve("runs/line/metrics.jsonl"));
    assertEquals(3, metrics.size());
    for (String line : metrics) {
      // Returns of 50 steps at distance at most 2 from the goal: finite and in [-100, 0].
      Matcher pre = Pattern.compile("\"pre_return\":(-?[0-9.eE+-]+)").matcher(line);
      assertTrue(pre.find(), line);
      double r = Double.parseDouble(pre.group(1));
      assertTrue(r <= 0 && r >= -100, line);
    }
  }
}
