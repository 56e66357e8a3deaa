package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.gym.GymHttpServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maml4j serve}: offers the built-in environments over the Gym HTTP API until shut down. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve every built-in environment over the Gym HTTP API (openai/gym-http-api), "
        + "with task kwargs at create and a batched extension, until POST /v1/shutdown/ or Ctrl-C.")
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Interface to bind (default ${DEFAULT-VALUE}: this machine only).")
  String host;

  @Option(names = "--port", defaultValue = "5000", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--env", paramLabel = "SPEC", description = "Serve an environment spec under its env name, replacing the default "
      + "(repeatable).")
  List<Path> specs = new ArrayList<>();

  @Option(names = "--token-env", paramLabel = "VAR",
      description = "Require 'Authorization: Bearer <token>', the token being the value of environment variable VAR.")
  String tokenEnv;

  @Option(names = "--max-instances", defaultValue = "4096", description = "Most live instances (default ${DEFAULT-VALUE}).")
  int maxInstances;

  @Option(names = "--idle-timeout", defaultValue = "600",
      description = "Close instances unused for this many seconds (default ${DEFAULT-VALUE}).")
  double idleSeconds;

  @Option(names = "--threads", description = "Worker threads (default max(4, 2 x cores)).")
  Integer threads;

  @Option(names = "--read-timeout", defaultValue = "10", paramLabel = "SECONDS",
      description = "Longest time to receive a request's header, and then its body; slower clients get 408 and "
          + "are disconnected (default ${DEFAULT-VALUE}).")
  double readTimeoutSeconds;

  @Option(names = "--allow-unauthenticated",
      description = "Serve on a non-loopback --host without --token-env (anyone who can reach the port can create "
          + "and step environments).")
  boolean allowUnauthenticated;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!(idleSeconds > 0) || idleSeconds > 1e9) {
      throw new IllegalArgumentException("--idle-timeout must be greater than 0, got " + idleSeconds);
    }
    if (!(readTimeoutSeconds > 0) || readTimeoutSeconds > 86_400) {
      throw new IllegalArgumentException("--read-timeout must be in (0, 86400] seconds, got " + readTimeoutSeconds);
    }
    GymHttpServer.Builder b = GymHttpServer.builder()
        .optHost(host)
        .optPort(port)
        .optMaxInstances(maxInstances)
        .optIdleTimeout(Duration.ofMillis(Math.max(1, Math.round(idleSeconds * 1000))))
        .optReadTimeout(Duration.ofMillis(Math.max(1, Math.round(readTimeoutSeconds * 1000))));
    if (threads != null) {
      b.optThreads(threads);
    }
    for (Path p : specs) {
      Fields f = Fields.read(p);
      TaskDistribution d = EnvRegistry.standard().create(f);
      b.optEnvironment(d.name(), d);
    }
    String token = null;
    if (tokenEnv != null) {
      token = System.getenv(tokenEnv);
      if (token == null || token.isEmpty()) {
        throw new ConfigException("--token-env: environment variable " + tokenEnv + " is not set");
      }
      b.optToken(token);
    }
    if (token == null && !InetAddress.getByName(host).isLoopbackAddress()) {
      if (!allowUnauthenticated) {
        throw new IllegalArgumentException("--host " + host + " is not a loopback address: give --token-env VAR to "
            + "require a token, or --allow-unauthenticated to serve it to anyone who can reach the port");
      }
      err.println("maml4j serve: warning: listening on " + host + " without a token; anyone who can reach this "
          + "port can create and step environments (see --token-env)");
    }
    GymHttpServer server = b.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    out.printf("maml4j serve: %s at %s (batched extension at /v1/batch/)%n", String.join(", ", server.envIds()),
        server.url());
    out.flush();
    server.awaitStop();
    out.println("maml4j serve: stopped");
    out.flush();
    return 0;
  }
}
