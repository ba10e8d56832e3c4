namespace Crm.Modules.Integration.Features.Imports;

/// <summary>Settings of the import pipeline (section <c>Integration:Imports</c>).</summary>
internal sealed class ImportOptions
{
    public const string Section = "Integration:Imports";

    /// <summary>Rows per chunk: each chunk is one COPY, a few set-based statements and one transaction.</summary>
    public int ChunkSize { get; set; } = 5000;

    /// <summary>
    /// Where the bodies of asynchronous imports are spooled until their job finishes. Must be durable (a volume that
    /// survives restarts) and, with several API instances, shared by them.
    /// </summary>
    public string SpoolDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "crm-imports");

    /// <summary>Largest accepted upload.</summary>
    public long MaxFileBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>How many errors a synchronous report lists; all of them stay at /imports/{id}/errors.</summary>
    public int MaxReportErrors { get; set; } = 1000;

    /// <summary>Whether this instance runs the background worker.</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>How often the worker looks for queued jobs when nobody signalled one.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A running job whose heartbeat is older than this was interrupted (crash, restart) and is resumed.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);
}
