/// blendsim's version, recorded in every manifest.
public enum BlendSimVersion {
    public static let current = "0.1.0"
}
