package io.maml4j.policy;

import io.maml4j.env.Box;
import io.maml4j.env.Space;

/**
 * The skeleton the MLP policies share: a spec, a Box observation space, an action space of the
 * kind the subclass needs, and the network mapping one to the other.
 */
abstract class AbstractMlpPolicy implements Policy {
  protected final PolicySpec spec;
  protected final Box obsSpace;
  protected final Space actSpace;
  protected final Mlp mlp;

  /**
   * @param actionKind the action space class this policy supports
   * @param outputs the network's output width for that action space
   */
  AbstractMlpPolicy(PolicySpec spec, Space observationSpace, Space actionSpace, Class<? extends Space> actionKind,
      java.util.function.ToIntFunction<Space> outputs) {
    if (!(observationSpace instanceof Box ob)) {
      throw new IllegalArgumentException(spec.type() + " needs a Box observation space, got " + observationSpace);
    }
    if (!actionKind.isInstance(actionSpace)) {
      throw new IllegalArgumentException(spec.type() + " needs a " + actionKind.getSimpleName()
          + " action space, got " + actionSpace);
    }
    this.spec = spec;
    this.obsSpace = ob;
    this.actSpace = actionSpace;
    this.mlp = new Mlp(ob.flatSize(), spec.hiddenSizes(), outputs.applyAsInt(actionSpace), spec.nonlinearity());
  }

  @Override
  public Space observationSpace() {
    return obsSpace;
  }

  @Override
  public Space actionSpace() {
    return actSpace;
  }

  @Override
  public PolicySpec spec() {
    return spec;
  }
}
