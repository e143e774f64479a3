import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and connection-holding packages stay plain Node requires, not bundled.
  serverExternalPackages: ["pg", "@node-rs/argon2"],
  poweredByHeader: false,
};

export default nextConfig;
