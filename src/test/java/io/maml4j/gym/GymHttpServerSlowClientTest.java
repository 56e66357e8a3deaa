package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.env.Box;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Slow and malformed connections over real loopback sockets: they must not stall other clients,
 * must be cut after the read timeout, and every refusal is JSON.
 */
class GymHttpServerSlowClientTest {
  private static final Box NAV_ACTIONS = Box.of(2, -0.1, 0.1);

  private static Socket connect(GymHttpServer server) throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static String readAll(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  private static JsonObject body(String reply) {
    return JsonParser.parseString(reply.substring(reply.indexOf("\r\n\r\n") + 4)).getAsJsonObject();
  }

  @Test
  void when_moreHalfHeaderConnectionsThanWorkers_expect_otherClientsServedAtOnce() throws Exception {
    try (GymHttpServer server = GymHttpServer.builder().optPort(0).optThreads(4).start()) {
      List<Socket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 16; i++) {
          Socket s = connect(server);
          s.getOutputStream().write("POST /v1/envs/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"
              .getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          slow.add(s);
        }
        GymHttpClient client = GymHttpClient.builder(server.url()).optTimeout(Duration.ofSeconds(5)).optRetries(0)
            .build();
        // A generous bound: on the JDK server this blocked until the client's timeout.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
          for (int round = 0; round < 5; round++) {
            String id = client.create("navigation-2d");
            client.reset(id, 1L);
            for (int t = 0; t < 10; t++) {
              assertFalse(client.step(id, NAV_ACTIONS, new double[] {0.01, 0}).done());
            }
            client.close(id);
          }
        });
      } finally {
        for (Socket s : slow) {
          s.close();
        }
      }
    }
  }

  @Test
  void when_headerTricklesPastTheReadTimeout_expect_408AndConnectionClosed() throws Exception {
    try (GymHttpServer server = GymHttpServer.builder().optPort(0).optReadTimeout(Duration.ofSeconds(1)).start();
        Socket s = connect(server)) {
      OutputStream out = s.getOutputStream();
      byte[] header = "GET /v1/envs/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
          .getBytes(StandardCharsets.US_ASCII);
      long start = System.nanoTime();
      boolean cut = false;
      // One byte every 100 ms: never idle long enough for an idle timeout, but the header takes 7 s.
      for (int i = 0; i < header.length && !cut; i++) {
        try {
          out.write(header[i]);
          out.flush();
        } catch (IOException e) {
          cut = true;
          break;
        }
        Thread.sleep(100);
        cut = s.getInputStream().available() > 0;
      }
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(cut, "the server never cut the trickling connection");
      assertTrue(elapsedMs >= 900, "cut after " + elapsedMs + " ms, before the 1 s read timeout");
      String reply = readAll(s);
      assertTrue(reply.startsWith("HTTP/1.1 408 "), reply);
      assertTrue(body(reply).get("message").getAsString().contains("request header not received within 1000 ms"),
          reply);
    }
  }

  @Test
  void when_bodyNeverCompletes_expect_408WithinTheReadTimeout() throws Exception {
    try (GymHttpServer server = GymHttpServer.builder().optPort(0).optReadTimeout(Duration.ofSeconds(1)).start();
        Socket s = connect(server)) {
      s.getOutputStream().write(("POST /v1/envs/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 40\r\n\r\n{\"env_id\"").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String reply = readAll(s);
      assertTrue(reply.startsWith("HTTP/1.1 408 "), reply);
      assertEquals("request body not received within 1000 ms", body(reply).get("message").getAsString());
      assertEquals(0, server.liveInstances());
    }
  }

  /** A raw request on its own connection; returns the whole reply. */
  private static String rawRequest(GymHttpServer server, String request) throws IOException {
    try (Socket s = connect(server)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return readAll(s);
    }
  }

  @Test
  void when_requestIsMalformedBeforeAnyRoute_expect_400Json() throws Exception {
    try (GymHttpServer server = GymHttpServer.builder().optPort(0).start()) {
      String[] requests = {
          "POST /v1/envs/%zz/reset/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
          "POST /v1/envs/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}",
          "POST /v1/envs/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n{}",
          "GET /v1/envs/%C0%AF/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
          "NOT-HTTP\r\n\r\n",
      };
      for (String r : requests) {
        String reply = rawRequest(server, r);
        String what = r.substring(0, r.indexOf('\r')) + " -> " + reply;
        assertTrue(reply.startsWith("HTTP/1.1 400 "), what);
        assertTrue(reply.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), what);
        String message = body(reply).get("message").getAsString();
        assertFalse(message.contains("Exception"), what);
        assertFalse(message.isBlank(), what);
      }
    }
  }

  @Test
  void when_instanceLimitReached_expect_429WithItsReasonPhrase() throws Exception {
    try (GymHttpServer server = GymHttpServer.builder().optPort(0).optMaxInstances(1).start()) {
      new GymHttpClient(server.url()).create("navigation-2d");
      String create = "{\"env_id\": \"navigation-2d\"}";
      String reply = rawRequest(server, "POST /v1/envs/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + create.length() + "\r\nConnection: close\r\n\r\n" + create);
      assertTrue(reply.startsWith("HTTP/1.1 429 Too Many Requests\r\n"), reply);
      assertTrue(body(reply).get("message").getAsString().startsWith("instance limit reached"), reply);
    }
  }

  @Test
  void when_tokenMissing_expect_401BeforeTheBodyIsRead() throws Exception {
    try (GymHttpServer server = GymHttpServer.builder().optPort(0).optToken("s3cret").start();
        Socket s = connect(server)) {
      // The body is announced but never sent: the refusal must not wait for it.
      s.getOutputStream().write("POST /v1/envs/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      s.setSoTimeout(5_000);
      byte[] buf = new byte[4096];
      int n;
      try {
        n = s.getInputStream().read(buf);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no reply to a request without the token while its body is pending");
      }
      String reply = new String(buf, 0, Math.max(0, n), StandardCharsets.ISO_8859_1);
      assertTrue(reply.startsWith("HTTP/1.1 401 "), reply);
    }
  }
}
