using Crm.SharedKernel.Http;
using Crm.SharedKernel.Idempotency;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Crm.Api.Hosting;

/// <summary>
/// Declares the HTTP headers the API uses, from the endpoint metadata that the modules set where they map their
/// endpoints (<see cref="IfMatchMetadata"/>, <see cref="IfNoneMatchMetadata"/>, <see cref="ETagMetadata"/>,
/// <see cref="RespondAsyncMetadata"/>) and from the platform's own conventions: <c>If-Match</c> with its 412 (and 428),
/// <c>If-None-Match</c> with its 304 (revalidation) or 412 (create-only upsert), <c>ETag</c> on 200/201, <c>Location</c> on
/// 201, <c>Idempotency-Key</c> with its 409/422 on every POST (the idempotency middleware covers them all), and
/// <c>Prefer: respond-async</c> with the 202's <c>Location</c>. The definitions are shared
/// <c>components/parameters</c> and <c>components/headers</c>, registered by the document filter half.
/// </summary>
internal sealed class HttpHeadersOperationFilter : IOperationFilter, IDocumentFilter
{
    public const string IfMatchParameter = "IfMatch";
    public const string RequiredIfMatchParameter = "IfMatchRequired";
    public const string IfNoneMatchParameter = "IfNoneMatch";
    public const string CreateOnlyIfNoneMatchParameter = "IfNoneMatchCreateOnly";
    public const string IdempotencyKeyParameter = "IdempotencyKey";
    public const string PreferParameter = "Prefer";
    public const string ETagHeader = "ETag";
    public const string LocationHeader = "Location";
    public const string IdempotentReplayedHeader = "IdempotentReplayed";
    public const string PreferenceAppliedHeader = "PreferenceApplied";

    private const string BadRequest =
        "Bad request: the body, the query or a header (such as a malformed If-Match or Idempotency-Key) is invalid (type validation-failed).";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        operation.Parameters ??= [];
        operation.Responses ??= [];

        if (metadata.OfType<IfMatchMetadata>().LastOrDefault() is { } ifMatch)
        {
            operation.Parameters.Add(new OpenApiParameterReference(ifMatch.Required ? RequiredIfMatchParameter : IfMatchParameter, document));
            AddProblem(operation, context, "400", BadRequest);
            AddProblem(operation, context, "412", "Precondition failed: If-Match does not match the current ETag (type precondition-failed); fetch the resource again and retry with its ETag.");
            if (ifMatch.Required)
            {
                AddProblem(operation, context, "428", "Precondition required: this operation runs only with If-Match (type if-match-required).");
            }
        }

        if (metadata.OfType<IfNoneMatchMetadata>().LastOrDefault() is { } ifNoneMatch)
        {
            if (ifNoneMatch.IsCreateOnly)
            {
                operation.Parameters.Add(new OpenApiParameterReference(CreateOnlyIfNoneMatchParameter, document));
                AddProblem(operation, context, "400", BadRequest);
                AddProblem(operation, context, "412", "Precondition failed: If-None-Match: * asked to create only and the resource exists (type precondition-failed).");
            }
            else
            {
                operation.Parameters.Add(new OpenApiParameterReference(IfNoneMatchParameter, document));
                operation.Responses.TryAdd("304", new OpenApiResponse { Description = "Not Modified: If-None-Match names the current ETag (no body)." });
                AddHeader(operation, "304", "ETag", ETagHeader, document);
            }
        }

        if (metadata.OfType<ETagMetadata>().Any())
        {
            AddHeader(operation, "200", "ETag", ETagHeader, document);
            AddHeader(operation, "201", "ETag", ETagHeader, document);
        }

        AddHeader(operation, "201", "Location", LocationHeader, document);

        if (metadata.OfType<RespondAsyncMetadata>().Any())
        {
            operation.Parameters.Add(new OpenApiParameterReference(PreferParameter, document));
            AddHeader(operation, "202", "Location", LocationHeader, document);
            AddHeader(operation, "202", "Preference-Applied", PreferenceAppliedHeader, document);
        }

        if (string.Equals(context.ApiDescription.HttpMethod, HttpMethods.Post, StringComparison.OrdinalIgnoreCase))
        {
            operation.Parameters.Add(new OpenApiParameterReference(IdempotencyKeyParameter, document));
            foreach (var status in operation.Responses.Keys.Where(s => s.StartsWith('2')).ToList())
            {
                AddHeader(operation, status, IdempotencyOptions.ReplayedHeaderName, IdempotentReplayedHeader, document);
            }

            AddProblem(operation, context, "400", BadRequest);
            AddProblem(operation, context, "409", "Conflict: the first request with this Idempotency-Key is still running (type idempotency-request-in-progress); retry after Retry-After seconds.");
            AddProblem(operation, context, "422", "This Idempotency-Key was already used for a different request (type idempotency-key-reused); use a new key for a new request.");
        }
    }

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.AddComponent<IOpenApiParameter>(IfMatchParameter, IfMatchParameterOf(required: false));
        document.AddComponent<IOpenApiParameter>(RequiredIfMatchParameter, IfMatchParameterOf(required: true));
        document.AddComponent<IOpenApiParameter>(IfNoneMatchParameter, new OpenApiParameter
        {
            Name = "If-None-Match",
            In = ParameterLocation.Header,
            Description = "The ETag of the caller's cached copy (or *): 304 Not Modified without a body while it is still current.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        document.AddComponent<IOpenApiParameter>(CreateOnlyIfNoneMatchParameter, new OpenApiParameter
        {
            Name = "If-None-Match",
            In = ParameterLocation.Header,
            Description = "* makes the upsert create only: 412 when the resource exists. Without it the upsert creates or replaces.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create("*")!] },
        });
        document.AddComponent<IOpenApiParameter>(IdempotencyKeyParameter, new OpenApiParameter
        {
            Name = IdempotencyOptions.HeaderName,
            In = ParameterLocation.Header,
            Description = "Makes the POST safe to retry: a repeat with the same key and the same request replays the stored response " +
                $"(marked {IdempotencyOptions.ReplayedHeaderName}: true) instead of running again. Keys are private to the caller and kept " +
                "24 hours by default; send a new key (e.g. a UUID) for each new request.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyOptions.MaxKeyLength },
        });
        document.AddComponent<IOpenApiParameter>(PreferParameter, new OpenApiParameter
        {
            Name = "Prefer",
            In = ParameterLocation.Header,
            Description = "respond-async runs the request as a background job: 202 with the job's Location (poll it) and Preference-Applied: respond-async.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        document.AddComponent<IOpenApiHeader>(ETagHeader, StringHeader(
            "The strong entity tag of the representation (its row version), e.g. \"7342\"; send it as If-Match to change only this version."));
        document.AddComponent<IOpenApiHeader>(LocationHeader, StringHeader("The URL of the created resource (201) or of the accepted job (202)."));
        document.AddComponent<IOpenApiHeader>(IdempotentReplayedHeader, StringHeader(
            "true when this is the stored response of an earlier request with the same Idempotency-Key."));
        document.AddComponent<IOpenApiHeader>(PreferenceAppliedHeader, StringHeader("respond-async when the request was accepted as a background job."));
    }

    private static void AddProblem(OpenApiOperation operation, OperationFilterContext context, string status, string description) =>
        operation.Responses!.TryAdd(status, ProblemResponses.Create(context, description));

    private static void AddHeader(OpenApiOperation operation, string status, string name, string component, OpenApiDocument document)
    {
        if (operation.Responses!.TryGetValue(status, out var found) && found is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal);
            response.Headers.TryAdd(name, new OpenApiHeaderReference(component, document));
        }
    }

    private static OpenApiParameter IfMatchParameterOf(bool required) => new()
    {
        Name = "If-Match",
        In = ParameterLocation.Header,
        Required = required,
        Description = required
            ? "The ETag of the caller's copy (or *): required (428 without); the change is made only if the resource still has it, else 412."
            : "The ETag of the caller's copy (or *): the change is made only if the resource still has it, else 412. Without it the change is unconditional.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiHeader StringHeader(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
}
