"use client";

// The export link of a customer's page. The download answers once the archive is written; its
// job shows on the page meanwhile, so a click re-reads the page for a few seconds, until the
// page sees the job running and watches it itself.
import { useEffect, useState } from "react";
import { LiveRefresh } from "@/components/ui/live-refresh";

export function ExportLink({ href }: { href: string }) {
  const [clicked, setClicked] = useState(false);
  useEffect(() => {
    if (!clicked) return;
    const timer = setTimeout(() => setClicked(false), 5_000);
    return () => clearTimeout(timer);
  }, [clicked]);
  return (
    <>
      <LiveRefresh active={clicked} />
      <a
        href={href}
        download
        onClick={() => setClicked(true)}
        className="inline-block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-100"
      >
        Export this customer&apos;s data
      </a>
    </>
  );
}
