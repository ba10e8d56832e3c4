using System.Collections.Concurrent;

namespace Crm.Api.Hosting;

/// <summary>
/// Fixed-window request counters, one per partition, in this instance's memory. A partition's window
/// opens with its first request and lasts the policy's window; the next request after that opens a new
/// one. Counting is exact (a lock per partition, so only requests of the same caller ever wait on each
/// other), which is what lets the response say precisely how many requests remain and when the window
/// resets. System.Threading.RateLimiting's limiters expose neither the reset time nor a TimeProvider.
/// </summary>
/// <remarks>
/// A partition whose window has ended carries no information (its next request starts from zero), so it
/// is evicted: every <c>sweepInterval</c> one request walks the partitions and drops those. Memory is
/// therefore bounded by the callers seen in the last two sweep intervals.
/// </remarks>
internal sealed class RateLimitWindows(TimeProvider time, TimeSpan sweepInterval)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly long _origin = time.GetTimestamp();
    private long _nextSweep = sweepInterval.Ticks;
    private int _sweeping;

    /// <summary>Partitions currently held in memory.</summary>
    public int Count => _windows.Count;

    /// <summary>Counts one request of <paramref name="partition"/>; a refused request is not counted.</summary>
    public RateLimitDecision Acquire(string partition, RateLimitPolicy policy)
    {
        var now = Now();
        if (now >= Volatile.Read(ref _nextSweep))
        {
            Sweep(now);
        }

        while (true)
        {
            var window = _windows.GetOrAdd(partition, static _ => new Window());
            lock (window.Gate)
            {
                if (window.Evicted)
                {
                    // The sweeper removed this instance after we looked it up; count on the one that replaces it.
                    continue;
                }

                if (now >= window.EndsAt)
                {
                    window.EndsAt = now + policy.Window.Ticks;
                    window.Count = 0;
                    window.Refused = false;
                }

                var allowed = window.Count < policy.PermitLimit;
                var firstRefusal = false;
                if (allowed)
                {
                    window.Count++;
                }
                else
                {
                    firstRefusal = !window.Refused;
                    window.Refused = true;
                }

                return new RateLimitDecision(allowed, policy, policy.PermitLimit - window.Count, TimeSpan.FromTicks(window.EndsAt - now), firstRefusal);
            }
        }
    }

    /// <summary>Drops every partition whose window has ended. Only one caller sweeps at a time; the others skip it.</summary>
    internal void Sweep(long now)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            Volatile.Write(ref _nextSweep, now + sweepInterval.Ticks);
            foreach (var (key, window) in _windows)
            {
                lock (window.Gate)
                {
                    if (now >= window.EndsAt && _windows.TryRemove(new KeyValuePair<string, Window>(key, window)))
                    {
                        window.Evicted = true;
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>Time since this instance started, in <see cref="TimeSpan"/> ticks, from the monotonic clock.</summary>
    internal long Now() => time.GetElapsedTime(_origin).Ticks;

    private sealed class Window
    {
        public Lock Gate { get; } = new();

        /// <summary>Starts in the past, so the first request opens a window.</summary>
        public long EndsAt { get; set; } = long.MinValue;

        public int Count { get; set; }

        public bool Refused { get; set; }

        public bool Evicted { get; set; }
    }
}

/// <summary>The outcome of one request against its partition's window, with what the response headers report.</summary>
internal readonly record struct RateLimitDecision(bool Allowed, RateLimitPolicy Policy, int Remaining, TimeSpan ResetAfter, bool FirstRefusal)
{
    /// <summary>Seconds until the window resets, rounded up: a client that waits this long finds a new window.</summary>
    public long ResetSeconds => (ResetAfter.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
}
