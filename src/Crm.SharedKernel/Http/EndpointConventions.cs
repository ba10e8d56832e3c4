using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crm.SharedKernel.Http;

public static class EndpointConventions
{
    /// <summary>
    /// Documents the problem responses an operation can return, plus those every operation can (401, 500),
    /// so the OpenAPI document lists every status a client must handle. (The host documents 429, with its
    /// rate-limit headers, on every rate-limited operation.)
    /// </summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in statuses.Concat([StatusCodes.Status401Unauthorized, StatusCodes.Status500InternalServerError]).Distinct().Order())
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}
