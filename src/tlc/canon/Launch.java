// faultline's main class for a local TLC run (src/tlc/canon.ts, run.ts): it
// starts two JDK subsystems TLC is about to need on a thread of their own, then
// runs tlc2.TLC.main with the same arguments, unchanged.
//
// While TLC parses the spec on one core, the other core sets up
//   - the platform MBean server (java.lang.management): TLC registers its
//     fingerprint set and model checker as MBeans, and the server's first use
//     builds and introspects every platform MXBean (about 60 ms);
//   - Java RMI's runtime: this tla2tools.jar's fingerprint set is a
//     UnicastRemoteObject (../shared/tools/README.md), so creating it exports
//     it: a listening socket, the distributed garbage collector (about 40 ms).
// Both are the JDK's own, thread-safe set-up: TLC then finds them ready and does
// the same as without this class. A set-up that fails here is left to fail, or
// not, where TLC does it; nothing here changes what TLC checks or prints.
// Measured on family 2 K1 F2 W2 L2 (6,159 states), nine interleaved runs: TLC's
// own time 886 -> 849 ms (median), the same CPU.
package faultline;

import java.lang.management.ManagementFactory;
import java.rmi.Remote;
import java.rmi.server.UnicastRemoteObject;

public final class Launch {
  private Launch() {}

  /** An object to export once, so that RMI's runtime is up when TLC exports its own. */
  private interface Probe extends Remote {}

  private static final class ProbeImpl implements Probe {}

  public static void main(final String[] args) throws Exception {
    final Thread warm = new Thread(Launch::warm, "faultline-warm");
    warm.setDaemon(true);
    warm.start();
    tlc2.TLC.main(args);
  }

  private static void warm() {
    try {
      ManagementFactory.getPlatformMBeanServer();
    } catch (final Throwable e) {
      // TLC meets the same failure, or not, when it registers its MBeans.
    }
    try {
      final ProbeImpl probe = new ProbeImpl();
      UnicastRemoteObject.exportObject(probe, 0);
      UnicastRemoteObject.unexportObject(probe, true);
    } catch (final Throwable e) {
      // Likewise when TLC exports its fingerprint set.
    }
  }
}
