/**
 * Pictures of robots without a 3D renderer: shapes read from the MJCF model, placed by MuJoCo's
 * forward kinematics and drawn with Java2D from the side or from above, as PNG strips and
 * animated GIFs of episodes (e.g. a meta-policy before and after adaptation).
 */
package io.maml4j.render;
