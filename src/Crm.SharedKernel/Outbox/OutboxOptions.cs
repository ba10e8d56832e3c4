namespace Crm.SharedKernel.Outbox;

/// <summary>Outbox dispatch settings (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Whether this instance runs the background dispatcher. Every instance may: rows are claimed with SKIP LOCKED.</summary>
    public bool Enabled { get; set; } = true;

    public int BatchSize { get; set; } = 100;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>In-process retries of one consumer (Polly) before the message is rescheduled.</summary>
    public int ImmediateRetries { get; set; } = 2;

    public TimeSpan ImmediateRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Dispatch attempts before a message is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 10;

    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);
}
