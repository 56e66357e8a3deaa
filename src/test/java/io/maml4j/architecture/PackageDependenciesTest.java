package io.maml4j.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package list reads as the algorithm's layers: a lower package never imports a higher one,
 * and no two packages depend on each other in a cycle.
 */
class PackageDependenciesTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMain() {
    // The compiled main classes only: scanning the class path for the package would open every
    // dependency jar, ND4J's native ones included.
    classes = new ClassFileImporter().importPath(Path.of("target", "classes"));
  }

  @Test
  void when_main_classes_are_imported_expect_all_packages() {
    org.junit.jupiter.api.Assertions.assertTrue(classes.containPackage("io.maml4j.envs")
        && classes.containPackage("io.maml4j.gym") && classes.containPackage("io.maml4j.cli"), "target/classes not found");
  }

  @Test
  void when_packages_are_sliced_expect_no_cycle() {
    slices().matching("io.maml4j.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void when_built_in_environments_register_expect_envs_not_to_know_remote_or_mujoco_ones() {
    noClasses().that().resideInAPackage("io.maml4j.envs..")
        .should().dependOnClassesThat().resideInAnyPackage("io.maml4j.gym..", "io.maml4j.locomotion..",
            "io.maml4j.mujoco..", "io.maml4j.cli..", "io.maml4j.train..")
        .check(classes);
  }

  @Test
  void when_core_packages_are_imported_expect_no_dependency_on_io_layers() {
    noClasses().that().resideInAnyPackage("io.maml4j.autodiff..", "io.maml4j.env..", "io.maml4j.policy..",
            "io.maml4j.sampler..", "io.maml4j.baseline..", "io.maml4j.meta..", "io.maml4j.optim..")
        .should().dependOnClassesThat().resideInAnyPackage("io.maml4j.cli..", "io.maml4j.gym..", "io.maml4j.plot..",
            "io.maml4j.train..", "io.maml4j.eval..", "io.maml4j.experiments..")
        .check(classes);
  }
}
