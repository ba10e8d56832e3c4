namespace Crm.SharedKernel.Http;

/// <summary>
/// A request feature that <see cref="IfMatch.From"/> and <see cref="IfNoneMatch"/> mark when an endpoint reads
/// <c>If-Match</c> or <c>If-None-Match</c>. Hosts do not set it (nothing is marked); the integration-test host does,
/// to find endpoints that read a conditional header without declaring <see cref="IfMatchMetadata"/> or
/// <see cref="IfNoneMatchMetadata"/>.
/// </summary>
public sealed class ConditionalHeadersReadFeature
{
    public bool IfMatchRead { get; set; }

    public bool IfNoneMatchRead { get; set; }
}
