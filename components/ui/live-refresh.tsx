"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** While `active`, re-reads the page every so often, so long work shows its progress as it goes. */
export function LiveRefresh({
  active,
  intervalMs = 700,
}: {
  active: boolean;
  intervalMs?: number;
}) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);
  return null;
}
