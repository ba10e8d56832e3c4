namespace Crm.Benchmarks;

/// <summary>
/// The most the managed heap of this process (the API host's) grew above its size at the start of an operation, sampled
/// every 20 ms while the operation runs: the proof that an import streams its file rather than holding it.
/// </summary>
internal static class HeapPeak
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public static async Task<(T Result, long PeakGrowthBytes)> DuringAsync<T>(Func<Task<T>> operation)
    {
        var start = GC.GetTotalMemory(forceFullCollection: true);
        var peak = start;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The operation ended; the peak so far is the answer.
            }
        });

        T result;
        try
        {
            result = await operation();
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }

        return (result, Math.Max(0, peak - start));
    }
}
