using System.Data.Common;
using System.Security.Claims;

namespace Crm.Modules.Integration.Contracts;

/// <summary>What an import does with a row whose match key finds an existing record.</summary>
public enum ImportMode
{
    /// <summary>Update the matching record, create a record when none matches (the default).</summary>
    Upsert,

    /// <summary>Only create; a row matching an existing record is rejected as a duplicate.</summary>
    Create,

    /// <summary>Only update; a row matching no record is rejected.</summary>
    Update,
}

/// <summary>
/// An entity that can be imported (<c>POST /api/v1/imports/{entity}</c>). A module registers one per entity
/// (scoped); the Integration module parses and chunks the file, the target validates and writes each chunk.
/// </summary>
public interface IImportTarget
{
    /// <summary>The route name (<c>customers</c>, <c>contacts</c>).</summary>
    string Entity { get; }

    /// <summary>Columns, aliases and match keys.</summary>
    ImportSchema Schema { get; }

    /// <summary>
    /// A permission the caller needs besides <c>imports:write</c> (products need <c>sales:manage</c>), or null. The import
    /// is refused with 403 before anything is read when the caller lacks it.
    /// </summary>
    string? RequiredPermission => null;

    /// <summary>
    /// A field whose rows belong together wherever they are in the file (the lines of one order share its <c>externalId</c>),
    /// or null. The pipeline stages the file's rows chunk by chunk and, once the file is read, hands the target each group
    /// whole, its rows in file order, the groups in the order of their first rows, about a chunk of rows at a time. A row
    /// without the field is rejected; a group of more than twice the chunk size is rejected as a whole.
    /// </summary>
    string? GroupField => null;

    /// <summary>
    /// The query parameters this entity takes besides <c>mode</c>, <c>matchOn</c>, <c>dryRun</c> and <c>fileName</c> (orders:
    /// <c>overrideCredit</c>, <c>overrideReason</c>); compared case-insensitively, others are ignored. They are checked by
    /// <see cref="ValidateOptionsAsync"/> when the import is submitted, stored with the job and handed to every chunk in
    /// <see cref="ImportSettings.Options"/>, so a background or resumed job does exactly what a synchronous one does.
    /// </summary>
    IReadOnlyList<string> Options => [];

    /// <summary>
    /// Checks the options the caller sent (only those <see cref="Options"/> names, by their declared spelling) before the job
    /// exists, for synchronous and background imports alike: throws a 400 or 403 problem, or returns the options to store.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> ValidateOptionsAsync(IReadOnlyDictionary<string, string> options, ClaimsPrincipal caller, CancellationToken ct) =>
        Task.FromResult(options);

    /// <summary>
    /// Validates and writes one chunk in its own transaction. Before committing (never on a dry run, which rolls
    /// back) it calls <paramref name="beforeCommit"/> with its open connection, so the job's progress commits
    /// atomically with the rows.
    /// </summary>
    Task<ImportChunkResult> ImportChunkAsync(ImportChunk chunk, ImportBeforeCommit beforeCommit, CancellationToken ct);
}

/// <summary>Runs inside the chunk's transaction, on its connection, just before the commit.</summary>
public delegate Task ImportBeforeCommit(DbConnection connection, ImportChunkResult result, CancellationToken ct);

/// <summary>The fields of an importable entity.</summary>
/// <param name="Fields">Importable fields by API name (camelCase).</param>
/// <param name="Aliases">Other header names (e.g. Chinese ones) mapped to an API field name; compared case-insensitively.</param>
/// <param name="ReadOnlyFields">Fields an export writes that an import skips (id, status, timestamps): a re-imported export stays valid.</param>
/// <param name="MatchKeys">The fields <c>matchOn</c> accepts; the first is the default.</param>
/// <param name="ListFields">Fields holding several values, separated by <c>;</c> in a CSV cell.</param>
public sealed record ImportSchema(
    IReadOnlyList<string> Fields,
    IReadOnlyDictionary<string, string> Aliases,
    IReadOnlyList<string> ReadOnlyFields,
    IReadOnlyList<string> MatchKeys,
    IReadOnlyList<string> ListFields)
{
    /// <summary>Separator of the values of a list field in a CSV cell.</summary>
    public const char ListSeparator = ';';

    /// <summary>The API field name a header names, or null when it names none.</summary>
    public string? Resolve(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var name = header.Trim();
        var field = Fields.FirstOrDefault(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase));
        if (field is not null)
        {
            return field;
        }

        return Aliases.FirstOrDefault(a => string.Equals(a.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    public bool IsReadOnly(string header) => ReadOnlyFields.Any(f => string.Equals(f, header.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>One data row of the file.</summary>
/// <param name="Row">The row number in the file: the line of a CSV record or NDJSON line (the CSV header is row 1), the 1-based position in a JSON array.</param>
/// <param name="Values">The cells present in the file, by API field name; empty cells are null (a merge patch's null: the field is cleared).</param>
public sealed record ImportRow(int Row, IReadOnlyDictionary<string, string?> Values)
{
    public bool Has(string field) => Values.ContainsKey(field);

    public string? this[string field] => Values.TryGetValue(field, out var value) ? value : null;

    /// <summary>The values of a list field (split on <see cref="ImportSchema.ListSeparator"/>, trimmed, empties dropped).</summary>
    public IReadOnlyList<string> List(string field) =>
        this[field] is { } text
            ? text.Split(ImportSchema.ListSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}

/// <summary>How the caller asked to import.</summary>
/// <param name="Mode">create, update or upsert.</param>
/// <param name="MatchOn">The API field that identifies an existing record.</param>
/// <param name="DryRun">Validate and report, change nothing.</param>
/// <param name="JobId">The import job the chunk belongs to.</param>
public sealed record ImportSettings(ImportMode Mode, string MatchOn, bool DryRun, Guid JobId)
{
    /// <summary>The entity's own options (<see cref="IImportTarget.Options"/>) as validated at submit and stored with the job.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>The value of option <paramref name="name"/>, or null when the import was started without it.</summary>
    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A chunk of rows with the job-wide duplicate registry.</summary>
public sealed record ImportChunk(IReadOnlyList<ImportRow> Rows, ImportSettings Settings, IImportKeyRegistry Keys);

/// <summary>
/// Remembers the unique keys (match key, registration number, ...) of the rows accepted so far in the whole file,
/// so a key that appears twice is a duplicate even when the two rows are in different chunks. The keys of earlier chunks
/// are kept in the database, not in memory (ADR 0044): a target first names every key its chunk may claim
/// (<see cref="PrefetchAsync"/>, one query), then claims them row by row in memory; the chunk's new claims are saved
/// with its progress, in its transaction, so a resumed job knows exactly the claims of its committed chunks.
/// </summary>
public interface IImportKeyRegistry
{
    /// <summary>
    /// Loads which of <paramref name="keys"/> earlier chunks of the job claimed, and by which row: one query. Call it
    /// before the chunk's first <see cref="TryClaim"/> with every key the chunk may claim (naming more is harmless;
    /// calling it again adds keys).
    /// </summary>
    Task PrefetchAsync(IEnumerable<string> keys, CancellationToken ct);

    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="row"/>; false with the first row when already claimed (by this
    /// chunk or an earlier one). Throws <see cref="InvalidOperationException"/> for a key not prefetched.
    /// </summary>
    bool TryClaim(string key, int row, out int firstRow);
}

/// <summary>A rejected row: the row number, the column (API field name, or null for the whole row) and why.</summary>
public sealed record ImportRowError(int Row, string? Column, string Message);

/// <summary>What a chunk did.</summary>
public sealed record ImportChunkResult(int Created, int Updated, int Unchanged, IReadOnlyList<ImportRowError> Errors)
{
    /// <summary>Rows rejected (a row with several errors counts once).</summary>
    public int Rejected => Errors.Select(e => e.Row).Distinct().Count();
}
