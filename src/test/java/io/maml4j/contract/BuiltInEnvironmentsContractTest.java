package io.maml4j.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.mujoco.MuJoCo;
import io.maml4j.vision.FashionMnist;
import io.maml4j.vision.Glyphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every environment spec shipped in environments/ keeps the contract (remote ones need a server and are left out). */
class BuiltInEnvironmentsContractTest {
  static Stream<Path> specs() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("environments"))) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      return all.stream().filter(p -> !Fields.read(p).string("env").equals("gym-http"));
    }
  }

  @ParameterizedTest
  @MethodSource("specs")
  void when_a_built_in_spec_is_checked_expect_every_check_to_pass(Path spec) {
    String env = Fields.read(spec).string("env");
    if (env.startsWith("half-cheetah") || env.startsWith("ant")) {
      assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 is not installed (scripts/setup.sh installs it)");
    }
    if (env.equals("glyphs")) {
      assumeTrue(Files.isDirectory(Glyphs.DEBIAN_FONTS), "the Debian package fonts-noto-core is not installed "
          + "(scripts/setup.sh installs it)");
    }
    if (env.equals("fashion-mnist")) {
      assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "the Debian package dataset-fashion-mnist is not "
          + "installed (scripts/setup.sh installs it)");
    }
    TaskDistribution d = EnvRegistry.standard().load(spec);
    assertEquals(6, new EnvironmentContract(d, EnvironmentContract.Options.defaults()).checkAll().size());
  }
}
