package io.maml4j.gym;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Serves task distributions over the Gym HTTP API (openai/gym-http-api), so that programs in any
 * language can use this project's environments. Every route of the reference server is served at
 * its exact path; replies carry both dialects' fields (Gym's {@code done} with {@code
 * info["TimeLimit.truncated"]}, Gymnasium's {@code terminated} and {@code truncated}); create
 * takes the Gymnasium fork's {@code max_episode_steps} (default: the distribution's horizon) and
 * {@code kwargs}, the task's parameters, which override those of a default task drawn with the
 * create seed. Reset takes an optional {@code {"seed": s}}.
 *
 * <p>Batched extension, discovered with {@code GET /v1/batch/} ({@code {"batch": 1, ...}}):
 * {@code POST /v1/batch/create/} {@code {"env_id", "count" | "kwargs": [..], "seeds"?: [..],
 * "max_episode_steps"?}} → {@code {"instance_ids", "observation_space", "action_space"}};
 * {@code POST /v1/batch/reset/} {@code {"instance_ids", "seeds"?}} → {@code {"observations"}};
 * {@code POST /v1/batch/step/} {@code {"instance_ids", "actions"}} → {@code {"observations",
 * "rewards", "terminated", "truncated", "done"}}; {@code POST /v1/batch/close/} {@code
 * {"instance_ids"}} → 204. A batch is checked whole before any instance is touched.
 *
 * <p>Safety: binds to loopback unless told otherwise; can require {@code Authorization: Bearer
 * <token>}; bounds live instances (429 beyond) and closes idle ones; caps request bodies. Every
 * refusal is a JSON {@code {"message": ...}} (400 for malformed JSON, unknown ids, wrong action
 * shapes, non-finite actions); an unexpected failure is a 500 with a one-line message, never a
 * stack trace. A step after the episode ended (terminated, or cut at {@code max_episode_steps}) is
 * refused with 400 until the next reset, for every environment; kwargs are checked against the
 * distribution's {@link TaskDistribution#paramRanges() parameter ranges}; a reply never holds a
 * non-finite number (an environment that produces one gets a 500 naming the instance and step).
 *
 * <p>Built on Jetty: non-blocking connections, so slow or idle clients hold no worker thread;
 * a bounded worker pool; and a bound on the time to read a request's header (enforced here, as
 * Jetty bounds only the idle time between bytes) and its body. Jetty's own refusals (a malformed
 * request line, a bad Content-Length, an unparseable URI) are answered in JSON as well.
 */
public final class GymHttpServer implements AutoCloseable {
  /** Largest request body accepted (a batched step of thousands of instances fits easily). */
  static final int MAX_BODY_BYTES = 32 << 20;

  /** Keep-alive connections with no bytes for this long are closed (the JDK server's 30 s). */
  private static final long CONNECTION_IDLE_MILLIS = 30_000;

  private static final Pattern POSITION = Pattern.compile("line \\d+ column \\d+");

  private final Map<String, TaskDistribution> envs;
  private final Instances instances;
  private final byte[] token;
  private final Server server;
  private final ServerConnector connector;
  private final QueuedThreadPool pool;
  private final long readTimeoutMillis;
  private volatile int boundPort;
  private final ScheduledExecutorService reaper;
  /** Open connections, watched for a request header that takes too long (see {@link #cutSlowHeaders}). */
  private final Map<Connection, long[]> open = new ConcurrentHashMap<>();
  private final SplittableRandom seeds = new SplittableRandom(new SecureRandom().nextLong());
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private final int maxInstances;
  /** Requests read in full, by route ({@link #requestsServed}). */
  private final Map<String, java.util.concurrent.atomic.LongAdder> served = new ConcurrentHashMap<>();

  private GymHttpServer(Builder b) throws IOException {
    this.envs = new TreeMap<>(b.envs);
    if (envs.isEmpty()) {
      throw new IllegalArgumentException("a server needs at least one environment to serve");
    }
    this.maxInstances = b.maxInstances;
    this.instances = new Instances(b.maxInstances, b.idleTimeout.toNanos());
    this.token = b.token == null ? null : ("Bearer " + b.token).getBytes(StandardCharsets.UTF_8);
    this.readTimeoutMillis = b.readTimeout.toMillis();
    // The acceptor and the selector hold a pool thread each; the rest run handlers. The queue is
    // bounded too, so a flood cannot grow it without limit (Jetty closes what it cannot queue).
    int acceptors = 1;
    int selectors = 1;
    this.pool = new QueuedThreadPool(b.threads + acceptors + selectors, Math.min(2 + acceptors + selectors,
        b.threads + acceptors + selectors), 60_000, new org.eclipse.jetty.util.BlockingArrayQueue<>(64, 64, 8192));
    pool.setName("gym-http");
    pool.setDaemon(true);
    pool.setReservedThreads(0);
    // Daemon threads throughout, like the JDK server's: a program that forgets close() still exits.
    this.server = new Server(pool, new org.eclipse.jetty.util.thread.ScheduledExecutorScheduler("gym-http-scheduler",
        true), null);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    // Dispatch at the end of the header, not at the first body bytes, so the body's read time is
    // bounded from then on (a request that never sends its body would otherwise wait for the
    // connection's idle timeout).
    config.setDelayDispatchUntilContent(false);
    this.connector = new ServerConnector(server, acceptors, selectors, new HttpConnectionFactory(config));
    connector.setHost(InetAddress.getByName(b.host).getHostAddress());
    connector.setPort(b.port);
    connector.setIdleTimeout(Math.max(CONNECTION_IDLE_MILLIS, readTimeoutMillis));
    connector.setAcceptQueueSize(256);
    connector.setAcceptedTcpNoDelay(true);
    connector.addEventListener(new Connection.Listener() {
      @Override
      public void onOpened(Connection c) {
        open.put(c, new long[] {-1, 0});
      }

      @Override
      public void onClosed(Connection c) {
        open.remove(c);
      }
    });
    server.addConnector(connector);
    server.setHandler(new GymHandler());
    server.setErrorHandler(new JsonErrorHandler());
    server.setStopTimeout(0);
    this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gym-http-expiry");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(10, Math.min(30_000, b.idleTimeout.toMillis() / 4));
    reaper.scheduleWithFixedDelay(instances::expireIdle, period, period, TimeUnit.MILLISECONDS);
    long scan = Math.max(20, Math.min(1_000, readTimeoutMillis / 10));
    reaper.scheduleWithFixedDelay(this::cutSlowHeaders, scan, scan, TimeUnit.MILLISECONDS);
    try {
      server.start();
      boundPort = connector.getLocalPort();
    } catch (IOException e) {
      close();
      throw e;
    } catch (Exception e) {
      close();
      throw new IOException("cannot start the server on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
    }
  }

  /** Starts configuring a server; by default it serves every registered environment on 127.0.0.1:5000. */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link GymHttpServer}; {@code opt*} setters have defaults. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 5000;
    private int maxInstances = 4096;
    private Duration idleTimeout = Duration.ofMinutes(10);
    private String token;
    private int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private Duration readTimeout = Duration.ofSeconds(10);
    private final Map<String, TaskDistribution> envs = new LinkedHashMap<>();
    private boolean registered = true;

    private Builder() {}

    /** Interface to bind (default 127.0.0.1, loopback only). */
    public Builder optHost(String host) {
      this.host = host;
      return this;
    }

    /** Port to bind (default 5000; 0 picks a free one, see {@link #port()}). */
    public Builder optPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      this.port = port;
      return this;
    }

    /** Most live instances at once (default 4096); creates beyond it get 429. */
    public Builder optMaxInstances(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max instances must be at least 1, got " + max);
      }
      this.maxInstances = max;
      return this;
    }

    /** Instances unused for this long are closed (default 10 minutes). */
    public Builder optIdleTimeout(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("idle timeout must be positive, got " + d);
      }
      this.idleTimeout = d;
      return this;
    }

    /** Requires {@code Authorization: Bearer <token>} on every request (null: no token). */
    public Builder optToken(String token) {
      if (token != null && token.isEmpty()) {
        throw new IllegalArgumentException("token must not be empty");
      }
      this.token = token;
      return this;
    }

    /** Worker threads (default max(4, 2 x cores)). */
    public Builder optThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Longest time to receive a request's header, and then its body (default 10 s); a client that
     * takes longer gets 408 and its connection is closed.
     */
    public Builder optReadTimeout(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("read timeout must be positive, got " + d);
      }
      this.readTimeout = d;
      return this;
    }

    /** Serves (or replaces) {@code envId} with a configured distribution. */
    public Builder optEnvironment(String envId, TaskDistribution distribution) {
      envs.put(envId, distribution);
      return this;
    }

    /** Whether to serve every registered environment with its default spec (default true). */
    public Builder optRegistered(boolean registered) {
      this.registered = registered;
      return this;
    }

    /** Binds and starts serving. */
    public GymHttpServer start() throws IOException {
      Map<String, TaskDistribution> all = new LinkedHashMap<>();
      if (registered) {
        all.putAll(registeredDefaults());
      }
      all.putAll(envs);
      Builder b = new Builder();
      b.host = host;
      b.port = port;
      b.maxInstances = maxInstances;
      b.idleTimeout = idleTimeout;
      b.token = token;
      b.threads = threads;
      b.readTimeout = readTimeout;
      b.envs.putAll(all);
      return new GymHttpServer(b);
    }
  }

  /**
   * Every registered environment that builds from its name alone, by name; remote ones (which
   * would serve a server through itself) and ones needing more fields are left out.
   */
  static Map<String, TaskDistribution> registeredDefaults() {
    Map<String, TaskDistribution> out = new LinkedHashMap<>();
    for (String name : EnvRegistry.standard().names()) {
      if (name.equals(GymHttp.ENV_NAME)) {
        continue;
      }
      JsonObject spec = new JsonObject();
      spec.addProperty("env", name);
      try {
        out.put(name, EnvRegistry.standard().create(new Fields("default spec of " + name, spec)));
      } catch (ConfigException | IllegalArgumentException e) {
        // needs fields a default spec cannot give; serve it with an explicit spec instead
      }
    }
    return out;
  }

  /** The bound port. */
  public int port() {
    return boundPort;
  }

  /** The base URL clients use, such as {@code http://127.0.0.1:5000}. */
  public String url() {
    String host;
    try {
      InetAddress a = InetAddress.getByName(connector.getHost());
      host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
    } catch (java.net.UnknownHostException e) {
      host = connector.getHost();
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  /** The env ids served. */
  public Set<String> envIds() {
    return envs.keySet();
  }

  /**
   * How many requests were read in full so far, by route, with instance ids as {@code {id}}: e.g.
   * {@code "POST /v1/batch/step/"} or {@code "POST /v1/envs/{id}/step/"}. For operators and
   * tests that check how many round trips a client makes.
   */
  public Map<String, Long> requestsServed() {
    Map<String, Long> out = new TreeMap<>();
    served.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** The key of {@link #requestsServed}: the path with the instance id of an instance route replaced. */
  private static String routeOf(String method, String raw) {
    String[] p = raw.split("/", -1);
    if (p.length >= 5 && p[1].equals("v1") && p[2].equals("envs") && !p[3].isEmpty()) {
      p[3] = "{id}";
    }
    return method + " " + String.join("/", p);
  }

  /** Number of live instances. */
  public int liveInstances() {
    return instances.size();
  }

  /** Blocks until the server stops (after {@code POST /v1/shutdown/} or {@link #close()}). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Stops serving, closes every instance and releases the threads. Idempotent. */
  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      try {
        server.stop();
      } catch (Exception e) {
        // stopping is best effort; the threads are daemons
      }
      reaper.shutdownNow();
      instances.closeAll();
      stopped.countDown();
    }
  }

  // ---------------------------------------------------------------------------------- handling

  /** A finished reply. */
  private record Reply(int status, String contentType, byte[] body) {
    static Reply json(int status, byte[] body) {
      return new Reply(status, "application/json", body);
    }

    static Reply noContent() {
      return new Reply(204, null, null);
    }
  }

  /**
   * Jetty's entry point. Runs on a pool thread once a request's header is in; the body is read
   * without holding the thread, within the read timeout, and the request is then served.
   */
  private final class GymHandler extends Handler.Abstract {
    GymHandler() {
      super(InvocationType.BLOCKING);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String method = request.getMethod();
      String raw = request.getHttpURI().getPath();
      if (token != null) {
        // Checked before the body is read: a client without the token costs no more than its header.
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth == null || !MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.UTF_8))) {
          send(request, response, callback, error(401, "this server requires the header 'Authorization: Bearer <token>'"),
              false, true);
          return true;
        }
      }
      long declared = request.getLength();
      if (declared > MAX_BODY_BYTES) {
        send(request, response, callback, error(413, "request body larger than " + MAX_BODY_BYTES + " bytes"), false,
            true);
        return true;
      }
      CompletableFuture<byte[]> body = Content.Source.asByteArrayAsync(request, MAX_BODY_BYTES);
      if (body.isDone()) {
        serve(request, response, callback, method, raw, body);
      } else {
        // The rest of the body arrives later; no thread waits for it.
        body.orTimeout(readTimeoutMillis, TimeUnit.MILLISECONDS)
            .whenCompleteAsync((bytes, failure) -> serve(request, response, callback, method, raw, body), pool);
      }
      return true;
    }
  }

  private void serve(Request request, Response response, Callback callback, String method, String raw,
      CompletableFuture<byte[]> bodyFuture) {
    Reply reply;
    boolean[] shutdown = {false};
    byte[] body;
    try {
      body = bodyFuture.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof TimeoutException) {
        reply = error(408, "request body not received within " + readTimeoutMillis + " ms");
      } else if (Request.getContentBytesRead(request) > MAX_BODY_BYTES || cause instanceof IllegalArgumentException) {
        reply = error(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
      } else {
        reply = error(400, "could not read the request body (" + oneLine(cause) + ")");
      }
      // The rest of the body may still be on its way: close rather than read it.
      send(request, response, callback, reply, false, true);
      return;
    }
    String route = routeOf(method, raw);
    // Bounded: paths are the client's to choose, and unknown ones must not grow the map forever.
    if (!served.containsKey(route) && served.size() >= 64) {
      route = "other";
    }
    served.computeIfAbsent(route, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    try {
      reply = dispatch(method, raw, body, shutdown);
    } catch (Instances.Refused e) {
      if (e.status >= 500) {
        // An environment's fault (a non-finite reward, say): the operator should see it too.
        System.err.println("maml4j serve: " + e.getMessage());
      }
      reply = error(e.status, e.getMessage());
    } catch (IllegalArgumentException e) {
      reply = error(400, String.valueOf(e.getMessage()));
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // Log one line here; the client learns only that it failed.
      System.err.println("maml4j serve: internal error on " + method + " " + raw + ": " + e);
      reply = error(500, "internal server error (" + e.getClass().getSimpleName() + ")");
    }
    send(request, response, callback, reply, shutdown[0], false);
  }

  /** Writes a reply; after a shutdown request's reply is out, stops the server from another thread. */
  private void send(Request request, Response response, Callback callback, Reply reply, boolean thenStop,
      boolean closeConnection) {
    response.setStatus(reply.status);
    if (closeConnection) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
    Callback done = !thenStop ? callback : Callback.from(() -> {
      callback.succeeded();
      // Not on a pool thread: stopping the server waits for its pool.
      Thread t = new Thread(this::close, "gym-http-shutdown");
      t.setDaemon(true);
      t.start();
    }, callback::failed);
    if (reply.body == null) {
      response.write(true, null, done);
    } else {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body.length);
      response.write(true, ByteBuffer.wrap(reply.body), done);
    }
  }

  /**
   * Closes connections whose current request header has been arriving for longer than the read
   * timeout, after a 408. Jetty bounds only the idle time between bytes, so a client trickling a
   * byte every few seconds would otherwise hold its connection (and its buffers) for ever. A
   * header is recognised by the connection's parser being past the start of a request but not yet
   * in its body; the count of requests received tells one header from the next.
   */
  private void cutSlowHeaders() {
    long now = System.nanoTime();
    for (Map.Entry<Connection, long[]> e : open.entrySet()) {
      if (!(e.getKey() instanceof HttpConnection c)) {
        continue;
      }
      long[] seen = e.getValue();
      var parser = c.getParser();
      boolean inHeader = !parser.isStart() && parser.inHeaderState() && !parser.isClosed() && !parser.isClose();
      long requests = c.getMessagesIn();
      if (!inHeader) {
        seen[0] = -1;
      } else if (seen[0] != requests) {
        seen[0] = requests;
        seen[1] = now;
      } else if (now - seen[1] > readTimeoutMillis * 1_000_000L) {
        open.remove(c);
        EndPoint ep = c.getEndPoint();
        byte[] body = error(408, "request header not received within " + readTimeoutMillis + " ms").body;
        String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
        out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        try {
          ep.write(Callback.from(ep::close, x -> ep.close()), out);
        } catch (RuntimeException x) {
          ep.close();
        }
      }
    }
  }

  private static String oneLine(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
  }

  /**
   * Jetty's refusals of what never reached {@link GymHandler} (a malformed request line or
   * header, a bad Content-Length, an unparseable URI), as the same JSON message as every other
   * refusal instead of Jetty's HTML page.
   */
  private static final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Object s = request.getAttribute(ERROR_STATUS);
      int status = s instanceof Integer i ? i : response.getStatus();
      if (status < 400) {
        status = 500;
      }
      Object m = request.getAttribute(ERROR_MESSAGE);
      // Jetty's message ("Invalid Content-Length Value", "Bad URI", ...), never an exception's name.
      String message = status >= 500 ? "internal server error"
          : m instanceof String text && !text.isBlank() && !text.contains("Exception")
              && !text.equalsIgnoreCase(HttpStatus.getMessage(status)) ? text
          : status == 400 ? "malformed request line, header or percent-escape in the URI"
          : HttpStatus.getMessage(status);
      byte[] body = error(status, "the request could not be read: " + message).body;
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
  }

  private static Reply error(int status, String message) {
    return Reply.json(status, write(w -> w.beginObject().name("message").value(message).endObject()));
  }

  private Reply dispatch(String method, String raw, byte[] body, boolean[] shutdown) {
    String[] p = raw.split("/", -1);
    for (int i = 0; i < p.length; i++) {
      p[i] = decode(p[i]);
    }
    // p[0] is "" (paths start with '/'); a trailing '/' gives a last "".
    if (p.length >= 3 && p[1].equals("v1")) {
      if (p[2].equals("envs")) {
        if (p.length == 4 && p[3].isEmpty()) {
          return switch (method) {
            case "POST" -> create(object(body, true));
            case "GET" -> list();
            default -> notAllowed(method, raw, "GET, POST");
          };
        }
        if (p.length >= 5 && !p[3].isEmpty()) {
          Reply r = instanceRoute(method, raw, p, body);
          if (r != null) {
            return r;
          }
        }
      } else if (p[2].equals("shutdown") && p.length == 4 && p[3].isEmpty()) {
        if (!method.equals("POST")) {
          return notAllowed(method, raw, "POST");
        }
        shutdown[0] = true;
        return new Reply(200, "text/plain; charset=utf-8", "Server shutting down".getBytes(StandardCharsets.UTF_8));
      } else if (p[2].equals("batch")) {
        Reply r = batchRoute(method, raw, p, body);
        if (r != null) {
          return r;
        }
      }
    }
    throw new Instances.Refused(404, "no route " + method + " " + raw
        + " (routes: /v1/envs/, /v1/envs/{id}/reset/, /v1/envs/{id}/step/, ... with their trailing '/')");
  }

  private Reply instanceRoute(String method, String raw, String[] p, byte[] body) {
    String id = p[3];
    String route = String.join("/", Arrays.copyOfRange(p, 4, p.length));
    switch (route) {
      case "" -> {
        // The Gymnasium fork closes with DELETE /v1/envs/{id}/ and reads the env id with GET.
        if (method.equals("DELETE")) {
          instances.remove(id);
          return new Reply(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
        }
        if (method.equals("GET")) {
          String envId = instances.get(id).envId;
          return Reply.json(200, write(w -> w.beginObject().name("id").value(envId).endObject()));
        }
        return notAllowed(method, raw, "GET, DELETE");
      }
      case "reset/" -> {
        return method.equals("POST") ? reset(id, object(body, false)) : notAllowed(method, raw, "POST");
      }
      case "step/" -> {
        return method.equals("POST") ? step(id, object(body, true)) : notAllowed(method, raw, "POST");
      }
      case "action_space/", "observation_space/" -> {
        if (!method.equals("GET")) {
          return notAllowed(method, raw, "GET");
        }
        Instances.Instance inst = instances.get(id);
        Space s = route.startsWith("action") ? inst.actionSpace : inst.observationSpace;
        JsonObject info = GymJson.toJson(s);
        return Reply.json(200, write(w -> {
          w.beginObject().name("info");
          w.jsonValue(info.toString());
          w.endObject();
        }));
      }
      case "action_space/sample", "action_space/sample/" -> {
        if (!method.equals("GET")) {
          return notAllowed(method, raw, "GET");
        }
        Instances.Instance inst = instances.get(id);
        double[] a = inst.sampleAction();
        return Reply.json(200, write(w -> {
          w.beginObject().name("action");
          GymJson.write(w, inst.actionSpace, a);
          w.endObject();
        }));
      }
      case "observation_space/contains", "observation_space/contains/" -> {
        if (!method.equals("POST")) {
          return notAllowed(method, raw, "POST");
        }
        Instances.Instance inst = instances.get(id);
        JsonObject query = object(body, true);
        JsonObject info = GymJson.toJson(inst.observationSpace);
        boolean member = true;
        for (Map.Entry<String, JsonElement> e : query.entrySet()) {
          member &= e.getValue().equals(info.get(e.getKey()));
        }
        boolean m = member;
        return Reply.json(200, write(w -> w.beginObject().name("member").value(m).endObject()));
      }
      case "close/" -> {
        if (!method.equals("POST")) {
          return notAllowed(method, raw, "POST");
        }
        instances.remove(id);
        return Reply.noContent();
      }
      default -> {
        if (p.length >= 7 && p[4].equals("action_space") && p[5].equals("contains")
            && (p.length == 7 || (p.length == 8 && p[7].isEmpty()))) {
          if (!method.equals("GET")) {
            return notAllowed(method, raw, "GET");
          }
          Instances.Instance inst = instances.get(id);
          boolean m = inst.actionSpace.contains(parseMember(p[6], inst.actionSpace));
          return Reply.json(200, write(w -> w.beginObject().name("member").value(m).endObject()));
        }
        return null;
      }
    }
  }

  private static Reply notAllowed(String method, String raw, String allowed) {
    throw new Instances.Refused(405, "method " + method + " not allowed on " + raw + " (allowed: " + allowed + ")");
  }

  /** {@code x} of contains/{x}: an integer, or numbers as a JSON list or separated by commas. */
  private static double[] parseMember(String x, Space space) {
    String s = x.trim();
    if (s.startsWith("[")) {
      s = s.substring(1, s.endsWith("]") ? s.length() - 1 : s.length());
    }
    String[] parts = s.isEmpty() ? new String[0] : s.split(",");
    double[] out = new double[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        out[i] = Double.parseDouble(parts[i].trim());
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("contains/{x}: x must be " + (space instanceof Discrete ? "an integer"
          : "numbers separated by commas") + ", got '" + GymJson.abbreviate(new JsonPrimitive(x)) + "'");
    }
    return out;
  }

  // ---------------------------------------------------------------------------- plain routes

  private Reply create(JsonObject req) {
    String envId = requiredString(req, "env_id");
    Long seed = optionalLong(req, "seed");
    int maxSteps = optionalPositive(req, "max_episode_steps");
    JsonObject kwargs = optionalObject(req, "kwargs");
    TaskDistribution dist = distribution(envId);
    instances.reserve(1);
    try {
      Instances.Instance inst = newInstance(envId, dist, seed, maxSteps, kwargs);
      return Reply.json(200, write(w -> w.beginObject().name("instance_id").value(inst.id).endObject()));
    } catch (RuntimeException e) {
      instances.release(1);
      throw e;
    }
  }

  private TaskDistribution distribution(String envId) {
    TaskDistribution dist = envs.get(envId);
    if (dist == null) {
      // The reference server's words, then what would have worked.
      throw new IllegalArgumentException("Attempted to look up malformed environment ID '" + envId
          + "' (this server has " + String.join(", ", envs.keySet()) + ")");
    }
    return dist;
  }

  /**
   * Makes an instance: its task is a default one drawn with the seed, with the kwargs' parameters
   * put over it; an unknown parameter name is refused, so that a typo cannot go unnoticed.
   */
  private Instances.Instance newInstance(String envId, TaskDistribution dist, Long seed, int maxSteps,
      JsonObject kwargs) {
    long s;
    if (seed != null) {
      s = seed;
    } else {
      synchronized (seeds) {
        s = seeds.nextLong();
      }
    }
    SplittableRandom rng = new SplittableRandom(s);
    // Distributions are not promised to be thread-safe; instances are, each behind its own lock.
    Task task;
    synchronized (dist) {
      task = dist.sample(rng.split());
    }
    if (kwargs != null && !kwargs.isEmpty()) {
      Task given = GymJson.task(kwargs);
      for (String k : given.params().keySet()) {
        if (!task.params().containsKey(k)) {
          throw new IllegalArgumentException("kwargs '" + k + "' is not a task parameter of " + envId + " (its parameters: "
              + (task.params().isEmpty() ? "none" : String.join(", ", task.params().keySet())) + ")");
        }
      }
      checkRanges(envId, dist, given);
      Map<String, Object> merged = new LinkedHashMap<>(task.params());
      merged.putAll(given.params());
      task = new Task(merged);
    }
    Environment env;
    synchronized (dist) {
      env = dist.make(task);
    }
    int limit = maxSteps > 0 ? maxSteps : dist.horizon();
    Task made = task;
    return instances.add(envId, id -> new Instances.Instance(id, envId, made, env, limit, rng));
  }

  /**
   * Refuses kwargs outside the distribution's parameter ranges (their finiteness is checked as
   * they are read), naming the parameter, before an environment is made of them.
   */
  private static void checkRanges(String envId, TaskDistribution dist, Task given) {
    Map<String, TaskDistribution.ParamRange> ranges = dist.paramRanges();
    for (Map.Entry<String, Object> e : given.params().entrySet()) {
      TaskDistribution.ParamRange r = ranges.get(e.getKey());
      if (r == null) {
        continue;
      }
      if (!r.admits(e.getValue())) {
        throw new IllegalArgumentException("kwargs '" + e.getKey() + "' of " + envId + " must be " + r.expected()
            + ", got " + abbreviate(e.getValue()));
      }
    }
  }

  private static String abbreviate(Object v) {
    String s = String.valueOf(v);
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private Reply list() {
    Map<String, String> all = instances.list();
    return Reply.json(200, write(w -> {
      w.beginObject().name("all_envs").beginObject();
      for (Map.Entry<String, String> e : all.entrySet()) {
        w.name(e.getKey()).value(e.getValue());
      }
      w.endObject().endObject();
    }));
  }

  private Reply reset(String id, JsonObject req) {
    Long seed = req == null ? null : optionalLong(req, "seed");
    Instances.Instance inst = instances.get(id);
    double[] obs = inst.reset(seed);
    return Reply.json(200, write(w -> {
      w.beginObject().name("observation");
      GymJson.write(w, inst.observationSpace, obs);
      w.name("info").beginObject().endObject();
      w.endObject();
    }));
  }

  private Reply step(String id, JsonObject req) {
    JsonElement action = required(req, "action");
    if (req.has("render") && !req.get("render").isJsonNull() && !(req.get("render").isJsonPrimitive()
        && req.get("render").getAsJsonPrimitive().isBoolean())) {
      throw new IllegalArgumentException("render must be true or false, got " + GymJson.abbreviate(req.get("render")));
    }
    Instances.Instance inst = instances.get(id);
    double[] a = GymJson.action(action, inst.actionSpace);
    StepResult r = inst.step(a);
    return Reply.json(200, write(w -> {
      w.beginObject().name("observation");
      GymJson.write(w, inst.observationSpace, r.observation());
      w.name("reward").value(r.reward());
      w.name("done").value(r.done());
      w.name("terminated").value(r.terminated());
      w.name("truncated").value(r.truncated());
      w.name("info").beginObject();
      if (r.truncated() && !r.terminated()) {
        // Gym's TimeLimit marker, so Gym-dialect clients can tell a cut episode from a terminal one.
        w.name("TimeLimit.truncated").value(true);
      }
      w.endObject().endObject();
    }));
  }

  // ---------------------------------------------------------------------------- batched routes

  private Reply batchRoute(String method, String raw, String[] p, byte[] body) {
    if (p.length == 4 && p[3].isEmpty()) {
      if (!method.equals("GET")) {
        return notAllowed(method, raw, "GET");
      }
      return Reply.json(200, write(w -> {
        w.beginObject().name("batch").value(1).name("max_instances").value(maxInstances);
        w.name("routes").beginArray().value("create/").value("reset/").value("step/").value("close/").endArray();
        w.endObject();
      }));
    }
    if (p.length != 5 || !p[4].isEmpty()) {
      return null;
    }
    return switch (p[3]) {
      case "create" -> method.equals("POST") ? batchCreate(object(body, true)) : notAllowed(method, raw, "POST");
      case "reset" -> method.equals("POST") ? batchReset(object(body, true)) : notAllowed(method, raw, "POST");
      case "step" -> method.equals("POST") ? batchStep(object(body, true)) : notAllowed(method, raw, "POST");
      case "close" -> {
        if (!method.equals("POST")) {
          yield notAllowed(method, raw, "POST");
        }
        List<Instances.Instance> all = lookup(object(body, true));
        for (Instances.Instance inst : all) {
          instances.remove(inst.id);
        }
        yield Reply.noContent();
      }
      default -> null;
    };
  }

  private Reply batchCreate(JsonObject req) {
    String envId = requiredString(req, "env_id");
    TaskDistribution dist = distribution(envId);
    int maxSteps = optionalPositive(req, "max_episode_steps");
    JsonArray kwargs = optionalArray(req, "kwargs");
    JsonArray seedList = optionalArray(req, "seeds");
    int count;
    if (kwargs != null) {
      count = kwargs.size();
      if (req.has("count") && optionalPositive(req, "count") != count) {
        throw new IllegalArgumentException("count (" + req.get("count") + ") must equal the number of kwargs (" + count + ")");
      }
    } else {
      count = optionalPositive(req, "count");
      if (count == 0) {
        throw new IllegalArgumentException("A required request parameter 'count' (or 'kwargs') was not provided");
      }
    }
    if (seedList != null && seedList.size() != count) {
      throw new IllegalArgumentException("seeds must have one entry per instance (" + count + "), got " + seedList.size());
    }
    instances.reserve(count);
    List<Instances.Instance> made = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        JsonObject kw = null;
        if (kwargs != null) {
          JsonElement k = kwargs.get(i);
          if (!k.isJsonObject()) {
            throw new IllegalArgumentException("kwargs[" + i + "] must be an object, got " + GymJson.abbreviate(k));
          }
          kw = k.getAsJsonObject();
        }
        Long seed = seedList == null || seedList.get(i).isJsonNull() ? null : longValue(seedList.get(i), "seeds[" + i + "]");
        try {
          made.add(newInstance(envId, dist, seed, maxSteps, kw));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("instance " + i + ": " + e.getMessage(), e);
        }
      }
    } catch (RuntimeException e) {
      for (Instances.Instance inst : made) {
        instances.remove(inst.id);
      }
      instances.release(count - made.size());
      throw e;
    }
    Instances.Instance first = made.get(0);
    return Reply.json(200, write(w -> {
      w.beginObject().name("instance_ids").beginArray();
      for (Instances.Instance inst : made) {
        w.value(inst.id);
      }
      w.endArray();
      w.name("observation_space").jsonValue(GymJson.toJson(first.observationSpace).toString());
      w.name("action_space").jsonValue(GymJson.toJson(first.actionSpace).toString());
      w.endObject();
    }));
  }

  /** The distinct live instances a batch names, all checked before any is touched. */
  private List<Instances.Instance> lookup(JsonObject req) {
    JsonElement e = required(req, "instance_ids");
    if (!e.isJsonArray()) {
      throw new IllegalArgumentException("instance_ids must be a list of instance ids, got " + GymJson.abbreviate(e));
    }
    List<Instances.Instance> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonElement x : e.getAsJsonArray()) {
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
        throw new IllegalArgumentException("instance_ids must hold strings, got " + GymJson.abbreviate(x));
      }
      if (!seen.add(x.getAsString())) {
        throw new IllegalArgumentException("instance_ids lists " + x.getAsString() + " twice");
      }
      out.add(instances.get(x.getAsString()));
    }
    return out;
  }

  private Reply batchReset(JsonObject req) {
    List<Instances.Instance> all = lookup(req);
    JsonArray seedList = optionalArray(req, "seeds");
    if (seedList != null && seedList.size() != all.size()) {
      throw new IllegalArgumentException("seeds must have one entry per instance (" + all.size() + "), got "
          + seedList.size());
    }
    Long[] seedValues = new Long[all.size()];
    for (int i = 0; seedList != null && i < seedValues.length; i++) {
      seedValues[i] = seedList.get(i).isJsonNull() ? null : longValue(seedList.get(i), "seeds[" + i + "]");
    }
    double[][] obs = new double[all.size()][];
    for (int i = 0; i < obs.length; i++) {
      obs[i] = all.get(i).reset(seedValues[i]);
    }
    return Reply.json(200, write(w -> {
      w.beginObject().name("observations").beginArray();
      for (int i = 0; i < obs.length; i++) {
        GymJson.write(w, all.get(i).observationSpace, obs[i]);
      }
      w.endArray().endObject();
    }));
  }

  private Reply batchStep(JsonObject req) {
    List<Instances.Instance> all = lookup(req);
    JsonElement acts = required(req, "actions");
    if (!acts.isJsonArray() || acts.getAsJsonArray().size() != all.size()) {
      throw new IllegalArgumentException("actions must be a list with one action per instance (" + all.size()
          + "), got " + GymJson.abbreviate(acts));
    }
    JsonArray list = acts.getAsJsonArray();
    double[][] a = new double[all.size()][];
    for (int i = 0; i < a.length; i++) {
      Instances.Instance inst = all.get(i);
      try {
        a[i] = GymJson.action(list.get(i), inst.actionSpace);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("instance " + inst.id + ": " + e.getMessage(), e);
      }
      inst.checkSteppable();
    }
    StepResult[] r = new StepResult[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = all.get(i).step(a[i]);
    }
    return Reply.json(200, write(w -> {
      w.beginObject().name("observations").beginArray();
      for (int i = 0; i < r.length; i++) {
        GymJson.write(w, all.get(i).observationSpace, r[i].observation());
      }
      w.endArray().name("rewards").beginArray();
      for (StepResult x : r) {
        w.value(x.reward());
      }
      w.endArray().name("terminated").beginArray();
      for (StepResult x : r) {
        w.value(x.terminated());
      }
      w.endArray().name("truncated").beginArray();
      for (StepResult x : r) {
        w.value(x.truncated());
      }
      w.endArray().name("done").beginArray();
      for (StepResult x : r) {
        w.value(x.done());
      }
      w.endArray().endObject();
    }));
  }

  // ------------------------------------------------------------------------- request decoding

  /**
   * The request's JSON object. An empty body or {@code null} (what the reference Python client
   * sends to reset) counts as no object, which only routes without required fields accept.
   */
  private static JsonObject object(byte[] body, boolean required) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isBlank() || text.trim().equals("null")) {
      if (required) {
        throw new IllegalArgumentException("Request is not a valid json (empty body)");
      }
      return null;
    }
    try (JsonReader r = new JsonReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
      r.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(r);
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw new JsonParseException("trailing data after the JSON value at " + r.getPath());
      }
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException("Request is not a valid json (expected an object, got "
            + GymJson.abbreviate(e) + ")");
      }
      return e.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException | IOException e) {
      Matcher m = POSITION.matcher(String.valueOf(e.getMessage()));
      throw new IllegalArgumentException("Request is not a valid json" + (m.find() ? " (at " + m.group() + ")" : ""));
    }
  }

  /** The reference server's test: missing, null, "" and [] all count as not provided. */
  private static JsonElement required(JsonObject req, String name) {
    JsonElement e = req.get(name);
    if (e == null || e.isJsonNull() || (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
        && e.getAsString().isEmpty()) || (e.isJsonArray() && e.getAsJsonArray().isEmpty())) {
      throw new IllegalArgumentException("A required request parameter '" + name + "' was not provided");
    }
    return e;
  }

  private static String requiredString(JsonObject req, String name) {
    JsonElement e = required(req, name);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(name + " must be a string, got " + GymJson.abbreviate(e));
    }
    return e.getAsString();
  }

  private static boolean absent(JsonObject req, String name) {
    JsonElement e = req.get(name);
    return e == null || e.isJsonNull();
  }

  private static Long optionalLong(JsonObject req, String name) {
    return absent(req, name) ? null : longValue(req.get(name), name);
  }

  private static long longValue(JsonElement e, String name) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      try {
        return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
      } catch (ArithmeticException | NumberFormatException ex) {
        // reported below
      }
    }
    throw new IllegalArgumentException(name + " must be an integer, got " + GymJson.abbreviate(e));
  }

  /** A positive integer, or 0 when absent. */
  private static int optionalPositive(JsonObject req, String name) {
    if (absent(req, name)) {
      return 0;
    }
    long v = longValue(req.get(name), name);
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " must be a positive integer, got " + v);
    }
    return (int) v;
  }

  private static JsonObject optionalObject(JsonObject req, String name) {
    if (absent(req, name)) {
      return null;
    }
    JsonElement e = req.get(name);
    if (!e.isJsonObject()) {
      throw new IllegalArgumentException(name + " must be an object, got " + GymJson.abbreviate(e));
    }
    return e.getAsJsonObject();
  }

  private static JsonArray optionalArray(JsonObject req, String name) {
    if (absent(req, name)) {
      return null;
    }
    JsonElement e = req.get(name);
    if (!e.isJsonArray()) {
      throw new IllegalArgumentException(name + " must be a list, got " + GymJson.abbreviate(e));
    }
    return e.getAsJsonArray();
  }

  /** Percent-decodes one path segment ('+' is a plus in a path, not a space). */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad percent-encoding in the path segment '" + segment + "'");
    }
  }

  @FunctionalInterface
  private interface JsonBody {
    void write(JsonWriter w) throws IOException;
  }

  private static byte[] write(JsonBody body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (Writer out = new OutputStreamWriter(bytes, StandardCharsets.UTF_8); JsonWriter w = new JsonWriter(out)) {
      // Strict: a non-finite number is not JSON; replies are checked before they get here.
      w.setStrictness(Strictness.STRICT);
      body.write(w);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
