package io.maml4j.gym;

import io.maml4j.env.Box;
import io.maml4j.env.Space;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Slow clients against a Gym HTTP server: {@code --connections} sockets each trickle a request
 * header one byte every {@code --interval} seconds, while one well-formed client creates, resets,
 * steps (up to 20 times, or to the episode's end) and closes navigation-2d instances in a loop; after {@code --duration} seconds it prints
 * the well-formed client's request count, latency percentiles and failures. A trickling socket
 * the server cuts is reopened, so the pressure stays at {@code --connections} throughout.
 *
 * <p>Run against a server started separately (any version, so old and new can be compared):
 * {@code java -cp target/maml4j.jar io.maml4j.gym.GymSlowClientBench --url http://127.0.0.1:5000
 * [--connections 200] [--interval 5] [--duration 60] [--timeout 5]}; {@code scripts/slow-clients.sh}
 * does both. Loopback only; everything stops by itself after the duration.
 */
public final class GymSlowClientBench {
  private static final byte[] HEADER = ("POST /v1/envs/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "Content-Length: 27\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private GymSlowClientBench() {}

  /** One trickling connection: its socket and how far into the header it is. */
  private static final class Slow {
    Socket socket;
    int sent;
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    int connections = 200;
    double interval = 5;
    double duration = 60;
    double timeout = 5;
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--url" -> url = v;
        case "--connections" -> connections = Integer.parseInt(v);
        case "--interval" -> interval = Double.parseDouble(v);
        case "--duration" -> duration = Double.parseDouble(v);
        case "--timeout" -> timeout = Double.parseDouble(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (options: --url, --connections, --interval, --duration, --timeout)");
      }
      i++;
    }
    if (url == null) {
      throw new IllegalArgumentException("--url is required, e.g. --url http://127.0.0.1:5000");
    }
    URI u = URI.create(url);
    if (!"127.0.0.1".equals(u.getHost()) && !"localhost".equals(u.getHost())) {
      throw new IllegalArgumentException("this bench only targets loopback servers, got " + url);
    }
    if (connections < 0 || connections > 2000 || !(interval > 0) || !(duration > 0 && duration <= 600)
        || !(timeout > 0)) {
      throw new IllegalArgumentException("need 0 <= connections <= 2000, interval > 0, 0 < duration <= 600, "
          + "timeout > 0");
    }
    InetSocketAddress address = new InetSocketAddress(u.getHost(), u.getPort());
    long end = System.nanoTime() + (long) (duration * 1e9);

    List<Slow> slow = new ArrayList<>();
    AtomicInteger cut = new AtomicInteger();
    AtomicInteger openFailures = new AtomicInteger();
    for (int i = 0; i < connections; i++) {
      slow.add(new Slow());
    }
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "slow-clients");
      t.setDaemon(true);
      return t;
    });
    long periodMs = (long) (interval * 1000);
    // Spread the connections over the interval, so bytes arrive steadily rather than in bursts.
    for (int i = 0; i < connections; i++) {
      Slow s = slow.get(i);
      trickle.scheduleAtFixedRate(() -> tick(s, address, cut, openFailures), i * periodMs / Math.max(1, connections),
          periodMs, TimeUnit.MILLISECONDS);
    }
    // Let every slow connection open and send its first byte before measuring.
    Thread.sleep(Math.min(periodMs + 500, (long) (duration * 500)));

    GymHttpClient client = GymHttpClient.builder(url).optTimeout(Duration.ofMillis((long) (timeout * 1000)))
        .optConnectTimeout(Duration.ofMillis((long) (timeout * 1000))).optRetries(0).build();
    Space actions = Box.of(2, -0.1, 0.1);
    double[] action = {0.01, -0.01};
    List<Long> latencies = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    while (System.nanoTime() < end) {
      String id = null;
      try {
        long t0 = System.nanoTime();
        id = client.create("navigation-2d");
        latencies.add(System.nanoTime() - t0);
        t0 = System.nanoTime();
        client.reset(id, 1L);
        latencies.add(System.nanoTime() - t0);
        for (int t = 0; t < 20 && System.nanoTime() < end; t++) {
          t0 = System.nanoTime();
          boolean done = client.step(id, actions, action).done();
          latencies.add(System.nanoTime() - t0);
          if (done) {
            break;
          }
        }
        t0 = System.nanoTime();
        client.close(id);
        latencies.add(System.nanoTime() - t0);
      } catch (RuntimeException e) {
        failures.add(e.getMessage());
      }
    }
    trickle.shutdownNow();
    trickle.awaitTermination(5, TimeUnit.SECONDS);
    int stillOpen = 0;
    for (Slow s : slow) {
      if (s.socket != null && !s.socket.isClosed()) {
        stillOpen++;
        s.socket.close();
      }
    }
    long[] ns = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("slow connections: %d, one header byte every %.1f s for %.0f s; cut by the server: %d "
        + "(reopened); open failures: %d; open at the end: %d%n", connections, interval, duration, cut.get(),
        openFailures.get(), stillOpen);
    System.out.printf("well-formed client: %d requests (create, reset, up to 20 steps, close per instance), %d failures%n",
        ns.length, failures.size());
    if (ns.length > 0) {
      System.out.printf("latency ms: p50 %.2f  p99 %.2f  max %.2f%n", pct(ns, 0.50), pct(ns, 0.99),
          ns[ns.length - 1] / 1e6);
    }
    failures.stream().distinct().limit(3).forEach(f -> System.out.println("  failure: " + f));
  }

  /** Sends the next header byte, reopening the connection if the server has cut it. */
  private static void tick(Slow s, InetSocketAddress address, AtomicInteger cut, AtomicInteger openFailures) {
    try {
      if (s.socket != null && (closedByServer(s.socket) || s.sent >= HEADER.length - 4)) {
        // Cut by the server, or nearly done (never finish the header): start over.
        if (s.sent < HEADER.length - 4) {
          cut.incrementAndGet();
        }
        s.socket.close();
        s.socket = null;
      }
      if (s.socket == null) {
        Socket socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout(1);
        s.socket = socket;
        s.sent = 0;
      }
      s.socket.getOutputStream().write(HEADER[s.sent++]);
      s.socket.getOutputStream().flush();
    } catch (IOException e) {
      if (s.socket == null) {
        openFailures.incrementAndGet();
      } else {
        cut.incrementAndGet();
        try {
          s.socket.close();
        } catch (IOException ignored) {
          // already gone
        }
        s.socket = null;
      }
    }
  }

  /** Whether the server replied (a 408) or closed: a read that does not time out. */
  private static boolean closedByServer(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      return in.read(new byte[512]) != 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static double pct(long[] sorted, double q) {
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[i] / 1e6;
  }
}
