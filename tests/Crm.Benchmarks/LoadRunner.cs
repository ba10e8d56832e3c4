using System.Diagnostics;
using System.Net.Http.Headers;

namespace Crm.Benchmarks;

/// <summary>Throughput and latency of one side of a scenario over one round.</summary>
internal sealed record RoundSample(double Rps, double P50Ms, double P95Ms, double P99Ms, int Requests);

/// <summary>
/// Closed-loop HTTP load: <c>concurrency</c> workers (per scenario) each send the next request as soon as the previous
/// answered, for a fixed time. Every answer must be 2xx, or the run stops: a benchmark of errors is no benchmark.
/// </summary>
internal sealed class LoadRunner(HttpClient client)
{
    public async Task<RoundSample> RunAsync(Func<long, Uri> next, string? bearer, TimeSpan duration, int concurrency, CancellationToken ct)
    {
        long counter = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>(4096);
            while (clock.Elapsed < duration)
            {
                var uri = next(Interlocked.Increment(ref counter));
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                if (bearer is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    throw new InvalidOperationException($"GET {uri} answered {(int)response.StatusCode}: {body}");
                }
            }

            return latencies;
        }, ct)).ToArray();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).Order().ToArray();
        var elapsed = clock.Elapsed.TotalSeconds;
        return new RoundSample(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99), all.Length);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
