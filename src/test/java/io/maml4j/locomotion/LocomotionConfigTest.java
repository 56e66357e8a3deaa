package io.maml4j.locomotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The locomotion spec files and their strict reading; none of this needs MuJoCo. */
class LocomotionConfigTest {
  @Test
  void when_bundled_specs_read_expect_defaults_and_pytorch_maml_rl_train_sections() {
    for (Locomotion kind : Locomotion.values()) {
      Path file = Path.of("environments", kind.specName() + ".json");
      Fields f = Fields.read(file);
      assertEquals(kind.specName(), f.string("env"));
      f.has("train");
      LocomotionConfig c = LocomotionConfig.read(kind, f);
      LocomotionConfig d = LocomotionConfig.defaults(kind);
      assertEquals(d.horizon(), c.horizon());
      assertEquals(d.low(), c.low());
      assertEquals(d.high(), c.high());
      assertEquals(10.0, c.actionScale());
      assertEquals(5, c.frameSkip());
      assertEquals(2, c.threads());
      assertEquals(Path.of("environments", "mujoco", kind.robot().modelFile()).toAbsolutePath().normalize(),
          c.model().normalize(), "model next to the spec");
      assertTrue(Files.isRegularFile(c.model()));
      TrainConfig t = TrainConfig.defaults().merge(Fields.read(file).object("train"));
      assertEquals(20, t.fastBatchSize());
      assertEquals(0.1, t.maml().fastLr());
      assertEquals(0.01, t.maml().maxKl());
      assertEquals(1.0, t.gaeLambda());
    }
  }

  @Test
  void when_config_written_and_read_back_expect_the_same_record() {
    for (Locomotion kind : Locomotion.values()) {
      LocomotionConfig c = new LocomotionConfig(37, -0.5, 0.75, 3.0, 4, 1, Path.of("models", "x.xml"));
      if (kind.goal() == Locomotion.Goal.DIRECTION) {
        c = new LocomotionConfig(37, kind.defaultLow(), kind.defaultHigh(), 3.0, 4, 1, Path.of("models", "x.xml"));
      }
      Fields f = new Fields("test", c.toJson(kind));
      assertEquals(kind.specName(), f.string("env"));
      assertEquals(c, LocomotionConfig.read(kind, f));
    }
  }

  @Test
  void when_spec_has_unknown_or_bad_fields_expect_errors_naming_them(@TempDir Path dir) throws Exception {
    ConfigException unknown = assertThrows(ConfigException.class, () -> LocomotionConfig.read(Locomotion.HALF_CHEETAH_DIR,
        Fields.parse("spec.json", "{\"velocity_low\": 0}")));
    assertTrue(unknown.getMessage().contains("unknown field 'velocity_low'"), unknown.getMessage());
    ConfigException order = assertThrows(ConfigException.class, () -> LocomotionConfig.read(Locomotion.ANT_VEL,
        Fields.parse("spec.json", "{\"velocity_low\": 2, \"velocity_high\": 1}")));
    assertTrue(order.getMessage().contains("velocity_high"), order.getMessage());
    ConfigException threads = assertThrows(ConfigException.class, () -> LocomotionConfig.read(Locomotion.ANT_GOAL,
        Fields.parse("spec.json", "{\"threads\": 0}")));
    assertTrue(threads.getMessage().contains("threads"), threads.getMessage());
    assertThrows(ConfigException.class, () -> LocomotionConfig.read(Locomotion.ANT_GOAL,
        Fields.parse("spec.json", "{\"action_scale\": -1}")));
    Path spec = dir.resolve("mine.json");
    Files.writeString(spec, "{\"model\": \"robots/cheetah.xml\", \"horizon\": 200}");
    LocomotionConfig c = LocomotionConfig.read(Locomotion.HALF_CHEETAH_VEL, Fields.read(spec));
    assertEquals(dir.toAbsolutePath().resolve("robots/cheetah.xml"), c.model());
    assertEquals(200, c.horizon());
  }
}
