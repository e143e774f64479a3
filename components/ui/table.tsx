/** A plain table with a header row; headers given as text ("" for a column without a title). */
export function Table({
  headers,
  caption,
  children,
}: {
  headers: string[];
  caption?: string;
  children: React.ReactNode;
}) {
  return (
    <table className="w-full text-left text-sm">
      {caption && <caption className="sr-only">{caption}</caption>}
      <thead className="text-slate-500">
        <tr>
          {headers.map((header, i) => (
            <th key={header || i} scope="col" className="px-4 py-2 font-medium">
              {header || <span className="sr-only">Actions</span>}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function Row({ children }: { children: React.ReactNode }) {
  return <tr className="border-t border-slate-100">{children}</tr>;
}

export function Cell({
  className = "",
  children,
}: {
  className?: string;
  children: React.ReactNode;
}) {
  return <td className={`px-4 py-2 ${className}`}>{children}</td>;
}
