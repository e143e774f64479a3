import type { Metadata } from "next";
import { Sidebar } from "@/components/shell/sidebar";
import { Header } from "@/components/shell/header";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Tenantry", template: "%s · Tenantry" },
  description: "Admin console of the multi-tenant platform",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="bg-slate-50 font-sans text-slate-900 antialiased">
        <a href="#content" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
          Skip to content
        </a>
        <div className="flex min-h-screen">
          <Sidebar />
          <div className="flex min-w-0 flex-1 flex-col">
            <Header />
            <main id="content" className="flex-1 px-8 py-6">
              {children}
            </main>
          </div>
        </div>
      </body>
    </html>
  );
}
