"use client";

import { useEffect, useState } from "react";

/** Seconds since `since`, counting up while the page is open (a freeze timer, say). */
export function Elapsed({ since }: { since: Date }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <>{(Math.max(0, now - since.getTime()) / 1000).toFixed(1)} s</>;
}
