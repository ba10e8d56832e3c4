namespace Crm.SharedKernel.Http;

/// <summary>
/// A request feature that <see cref="IfMatch.From"/> marks when an endpoint reads <c>If-Match</c>. Hosts do not
/// set it (nothing is marked); the integration-test host does, to find endpoints that read the header without
/// declaring <see cref="IfMatchMetadata"/>.
/// </summary>
public sealed class IfMatchReadFeature
{
    public bool Read { get; set; }
}
