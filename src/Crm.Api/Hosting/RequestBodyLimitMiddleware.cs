using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Crm.Api.Hosting;

/// <summary>
/// Enforces the request body limit per endpoint (its <see cref="IRequestSizeLimitMetadata"/>, else
/// <see cref="ApiOptions.MaxRequestBodyBytes"/>): a declared length over the limit is refused with 413
/// before anything is read, and the server stops an undeclared (chunked) body at the same limit.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>();
        var limit = metadata is null ? options.Value.MaxRequestBodyBytes : metadata.MaxRequestBodySize;
        if (limit is long max && context.Request.ContentLength > max)
        {
            throw new BadHttpRequestException(
                string.Create(CultureInfo.InvariantCulture, $"The request body is {context.Request.ContentLength} bytes; this endpoint accepts at most {max} bytes."),
                StatusCodes.Status413PayloadTooLarge);
        }

        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
