using System.Collections.Concurrent;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Idempotency;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps the header metadata of the endpoints (from which the OpenAPI document declares If-Match, If-None-Match, ETag,
/// Location and Prefer) true to what they do: in the test hosts only, every request is watched and every difference between
/// what its endpoint declares and what it did is recorded. <see cref="IntegrationTest"/> fails the test that made the
/// request, so every test that calls an endpoint checks its declaration on the way.
/// </summary>
internal static class HeaderContractGuard
{
    private static readonly ConcurrentQueue<string> Offences = new();

    /// <summary>The differences recorded since the last call, each naming the endpoint and the request.</summary>
    public static IReadOnlyList<string> Drain()
    {
        var drained = new List<string>();
        while (Offences.TryDequeue(out var offence))
        {
            drained.Add(offence);
        }

        return drained;
    }

    private static async Task WatchAsync(HttpContext context, RequestDelegate next)
    {
        var read = new ConditionalHeadersReadFeature();
        context.Features.Set(read);
        var sentIfMatch = context.Request.Headers.IfMatch.Count > 0;

        await next(context);

        // The exception handler clears the endpoint before writing the problem; its feature keeps it.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        if (endpoint is not RouteEndpoint)
        {
            return;
        }

        var response = context.Response;
        var status = response.StatusCode;
        var succeeded = status is >= 200 and < 300;
        var replayed = response.Headers.ContainsKey(IdempotencyOptions.ReplayedHeaderName);
        var ifMatch = endpoint.Metadata.GetMetadata<IfMatchMetadata>();
        var ifNoneMatch = endpoint.Metadata.GetMetadata<IfNoneMatchMetadata>();
        var returnsETag = endpoint.Metadata.GetMetadata<ETagMetadata>() is not null;
        var respondsAsync = endpoint.Metadata.GetMetadata<RespondAsyncMetadata>() is not null;

        var found = new List<string>();
        if (read.IfMatchRead && ifMatch is null)
        {
            found.Add("reads If-Match but does not declare .HonoursIfMatch() or .RequiresIfMatch()");
        }

        if (ifMatch is not null && succeeded && !replayed && !read.IfMatchRead)
        {
            found.Add("declares If-Match but succeeded without reading it (IfMatch.From)");
        }

        if (status == StatusCodes.Status428PreconditionRequired && ifMatch?.Required != true)
        {
            found.Add("answered 428 but does not declare .RequiresIfMatch()");
        }

        if (ifMatch?.Required == true && succeeded && !sentIfMatch)
        {
            found.Add("declares .RequiresIfMatch() but succeeded without If-Match");
        }

        if (read.IfNoneMatchRead && ifNoneMatch is null)
        {
            found.Add("reads If-None-Match but does not declare .HonoursIfNoneMatch() or .HonoursIfNoneMatchCreateOnly()");
        }

        if (status == StatusCodes.Status304NotModified && ifNoneMatch?.IsCreateOnly != false)
        {
            found.Add("answered 304 but does not declare .HonoursIfNoneMatch()");
        }

        if (ifNoneMatch is not null && succeeded && !replayed && !read.IfNoneMatchRead)
        {
            found.Add("declares If-None-Match but succeeded without reading it (IfNoneMatch)");
        }

        if (response.Headers.ETag.Count > 0 && !returnsETag)
        {
            found.Add("answered with an ETag but does not declare .ReturnsETag()");
        }

        if (returnsETag && status is (StatusCodes.Status200OK or StatusCodes.Status201Created)
            && response.Headers.ETag.Count == 0)
        {
            found.Add($"declares .ReturnsETag() but answered {status} without one");
        }

        if (status is (StatusCodes.Status201Created or StatusCodes.Status202Accepted) && response.Headers.Location.Count == 0)
        {
            found.Add($"answered {status} without Location");
        }

        if (status == StatusCodes.Status202Accepted && !respondsAsync)
        {
            found.Add("answered 202 but does not declare .HonoursRespondAsync()");
        }

        foreach (var offence in found)
        {
            Offences.Enqueue($"{endpoint.DisplayName} ({context.Request.Method} {context.Request.Path} -> {status}) {offence}");
        }
    }

    /// <summary>Puts the watch outside the whole pipeline of a test host.</summary>
    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(WatchAsync);
            next(app);
        };
    }
}
