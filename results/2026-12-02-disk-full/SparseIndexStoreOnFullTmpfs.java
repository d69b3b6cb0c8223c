import java.nio.*; import java.nio.channels.*; import java.nio.file.*;
public class SparseIndexStoreOnFullTmpfs {
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]);
    Path idx = dir.resolve("x.index");
    try (FileChannel c = FileChannel.open(idx, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(new byte[1]), (1<<20) - 1);   // the old preallocation: sparse
      MappedByteBuffer m = c.map(FileChannel.MapMode.READ_WRITE, 0, 1<<20);
      // fill the disk
      try (FileChannel f = FileChannel.open(dir.resolve("filler"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ByteBuffer p = ByteBuffer.allocateDirect(4096); long at = 0;
        while (true) { p.clear(); try { at += f.write(p, at); } catch (Exception e) { break; } }
      }
      org.agrona.concurrent.UnsafeBuffer u = new org.agrona.concurrent.UnsafeBuffer(m);
      try { for (int i = 0; i < 4096; i += 8) u.putInt(i, 7); System.out.println("stores succeeded"); }
      catch (Throwable t) { System.out.println("caught " + t); }
      System.out.println("alive after the store");
    }
  }
}
