package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.gym.GymHttpClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code maml4j serve} serves the built-in environments until told to shut down. */
class ServeCommandTest {
  @Test
  void when_served_expect_builtInEnvironmentsUntilShutdown() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out, true));
    ExecutorService thread = Executors.newSingleThreadExecutor();
    Future<Integer> exit = thread.submit(() -> cl.execute("serve", "--port", "0", "--idle-timeout", "60"));
    Matcher m = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)").matcher("");
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!m.reset(out.toString()).find() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(out.toString().startsWith("maml4j serve: ") && out.toString().contains("navigation-2d"), out.toString());
    GymHttpClient client = new GymHttpClient(m.group(1));
    String id = client.create("navigation-2d");
    assertEquals(2, client.reset(id).observation().values().length);
    client.shutdown();
    assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    thread.shutdown();
  }

  @Test
  void when_tokenVariableUnset_expect_exitCode2() {
    assertEquals(2, Main.execute("serve", "--port", "0", "--token-env", "MAML4J_NO_SUCH_VARIABLE_SET"));
  }

  @Test
  void when_nonLoopbackHostWithoutToken_expect_refusedWithExitCode2() throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.err;
    ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      // Before the fix this started serving (with a warning) and never returned.
      Future<Integer> exit = thread.submit(() -> Main.execute("serve", "--host", "0.0.0.0", "--port", "0"));
      assertEquals(2, exit.get(20, TimeUnit.SECONDS));
    } finally {
      System.setErr(old);
      thread.shutdownNow();
    }
    String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(1, text.lines().count(), text);
    assertTrue(text.startsWith("maml4j: error: --host 0.0.0.0 is not a loopback address") && text.contains(
        "--allow-unauthenticated"), text);
  }
}
