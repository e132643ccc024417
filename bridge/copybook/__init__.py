"""copybook"""
