using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crm.SharedKernel.Http;

public static class EndpointConventions
{
    /// <summary>
    /// Documents the problem responses an operation can return, plus those every authenticated operation
    /// can (401, 429, 500), so the OpenAPI document lists every status a client must handle.
    /// </summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in statuses.Concat([StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests, StatusCodes.Status500InternalServerError]).Distinct().Order())
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}
