namespace Crm.SharedKernel.Idempotency;

/// <summary>Settings of <c>Idempotency-Key</c> handling (section <c>Idempotency</c>).</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    public const string HeaderName = "Idempotency-Key";

    public const string ReplayedHeaderName = "Idempotent-Replayed";

    /// <summary>The longest key accepted (visible ASCII characters).</summary>
    public const int MaxKeyLength = IdempotencyRecord.MaxKeyLength;

    /// <summary>How long a response is kept and replayed.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A first request still unfinished after this long is taken as abandoned (its instance died) and may run again.</summary>
    public TimeSpan AbandonedAfter { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
