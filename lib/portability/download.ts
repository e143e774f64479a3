// A customer's archive as an HTTP download (README, "Customer archives"): written to a
// temporary file by exportCustomer (recorded, like every export), then streamed out and
// removed, whatever happens to the download.
import "server-only";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ArchiveError } from "./archive";
import { exportCustomer } from "./export";
import { releasedAtEnd } from "@/lib/audit/export";

/**
 * The archive of `customerId` as a response; `recorded` runs once it is written, before the
 * first byte goes out (the access event). A customer that does not exist is a 404.
 */
export async function archiveResponse(
  ownerUrl: string,
  customerId: string,
  by: string,
  recorded: () => Promise<unknown>,
  release: () => Promise<void>,
): Promise<Response> {
  const folder = await mkdtemp(path.join(tmpdir(), "tenantry-download-"));
  const removeFolder = () =>
    void rm(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  const cleanUp = async () => {
    removeFolder();
    await release();
  };
  try {
    const file = path.join(folder, "archive.tar.gz");
    try {
      await exportCustomer(ownerUrl, customerId, file, { by });
    } catch (error) {
      if (!(error instanceof ArchiveError)) throw error;
      await cleanUp();
      return new Response("Not found.", { status: 404 });
    }
    await recorded();
    const stream = createReadStream(file);
    stream.once("close", removeFolder);
    const stamp = new Date().toISOString().slice(0, 10);
    return new Response(releasedAtEnd(stream, release), {
      headers: {
        "Content-Type": "application/gzip",
        "Content-Disposition": `attachment; filename="customer-${customerId}-${stamp}.tar.gz"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
