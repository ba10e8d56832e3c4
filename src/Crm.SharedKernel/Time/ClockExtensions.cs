namespace Crm.SharedKernel.Time;

/// <summary>
/// The application clock is <see cref="TimeProvider"/> (injected; tests use a fake one). Timestamps that
/// are stored go through <see cref="UtcNow"/>: PostgreSQL keeps microseconds, so a value returned from a
/// write is then identical to the same value read back later.
/// </summary>
public static class ClockExtensions
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>The current UTC time, truncated to microseconds.</summary>
    public static DateTimeOffset UtcNow(this TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TicksPerMicrosecond));
    }
}
