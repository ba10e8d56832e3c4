using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Merge;

/// <summary>
/// Old ids keep working after a merge: a read of a merged customer or of its sub-resources answers
/// <c>308 Permanent Redirect</c> to the same path under the survivor; a write gets the 409 <c>customer-merged</c>
/// problem naming it. Every customer endpoint goes through <see cref="Customers.CustomerAccess.FindVisibleAsync"/>,
/// which throws <see cref="CustomerMergedException"/> for a merged customer; this filter turns it into the redirect.
/// </summary>
internal sealed class CustomerMergedRedirect : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (CustomerMergedException merged) when (HttpMethods.IsGet(context.HttpContext.Request.Method) || HttpMethods.IsHead(context.HttpContext.Request.Method))
        {
            var request = context.HttpContext.Request;
            var path = Regex.Replace(
                request.PathBase.Add(request.Path).Value ?? string.Empty,
                Regex.Escape(merged.LoserId.ToString()),
                merged.SurvivorId.ToString(),
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                TimeSpan.FromSeconds(1));
            return TypedResults.Redirect(path + request.QueryString, permanent: true, preserveMethod: true);
        }
    }

    /// <summary>Adds the filter to every endpoint of the group and documents the 308 on the reads of one customer.</summary>
    public static RouteGroupBuilder Apply(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.AddEndpointFilter<CustomerMergedRedirect>();
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            var pattern = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? string.Empty;
            var isRead = endpoint.Metadata.OfType<IHttpMethodMetadata>().Any(m => m.HttpMethods.Contains(HttpMethods.Get));
            if (isRead && (pattern.Contains("/customers/{id:guid}", StringComparison.Ordinal) || pattern.Contains("/customers/{customerId:guid}", StringComparison.Ordinal)))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status308PermanentRedirect, typeof(void)));
            }
        });
        return group;
    }
}
