namespace Crm.SharedKernel.Http;

/// <summary>
/// Endpoint metadata: the operation evaluates <c>If-Match</c> (<see cref="IfMatch"/>), answering 412 when the
/// caller's copy is stale; when <see cref="Required"/>, also 428 when the header is missing. The OpenAPI document
/// declares the header from it. Set with <see cref="EndpointConventions.HonoursIfMatch"/> or
/// <see cref="EndpointConventions.RequiresIfMatch"/>.
/// </summary>
public sealed class IfMatchMetadata
{
    private IfMatchMetadata(bool required) => Required = required;

    public static IfMatchMetadata Optional { get; } = new(false);

    public static IfMatchMetadata Mandatory { get; } = new(true);

    public bool Required { get; }
}

/// <summary>
/// Endpoint metadata: the operation evaluates <c>If-None-Match</c> (<see cref="IfNoneMatch"/>): a read answers 304
/// when the caller's copy is current (<see cref="Revalidation"/>), or a PUT upsert takes <c>*</c> to mean "create
/// only" and answers 412 when the resource exists (<see cref="CreateOnly"/>). The OpenAPI document declares the header
/// from it. Set with <see cref="EndpointConventions.HonoursIfNoneMatch"/> or
/// <see cref="EndpointConventions.HonoursIfNoneMatchCreateOnly"/>.
/// </summary>
public sealed class IfNoneMatchMetadata
{
    private IfNoneMatchMetadata(bool createOnly) => IsCreateOnly = createOnly;

    public static IfNoneMatchMetadata Revalidation { get; } = new(false);

    public static IfNoneMatchMetadata CreateOnly { get; } = new(true);

    public bool IsCreateOnly { get; }
}

/// <summary>
/// Endpoint metadata: the operation's 200 and 201 responses carry the representation's <c>ETag</c>
/// (<see cref="EntityTag"/>). Set with <see cref="EndpointConventions.ReturnsETag"/>.
/// </summary>
public sealed class ETagMetadata
{
    private ETagMetadata()
    {
    }

    public static ETagMetadata Instance { get; } = new();
}

/// <summary>
/// Endpoint metadata: the operation honours <c>Prefer: respond-async</c>, answering 202 with the
/// <c>Location</c> of the background job and <c>Preference-Applied: respond-async</c>. Set with
/// <see cref="EndpointConventions.HonoursRespondAsync"/>.
/// </summary>
public sealed class RespondAsyncMetadata
{
    private RespondAsyncMetadata()
    {
    }

    public static RespondAsyncMetadata Instance { get; } = new();
}
