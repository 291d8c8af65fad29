"""Model specifications and graph builders."""
